import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import { registry } from "@web/core/registry";

// A newcomer at the desk: the cashier opens "New customer", types the name
// and the phone as the customer says it, ticks the consent and the code of
// the friend who recommended us. A phone already known is refused by name.
registry.category("web_tour.tours").add("ReferralQuickCustomer", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            { trigger: ".o_lc_new_customer", run: "click" },
            { trigger: ".o_lc_quick_customer input[name=name]", run: "edit Nina Newcomer" },
            { trigger: ".o_lc_quick_customer input[name=phone]", run: "edit 8 916 555-12-34" },
            { trigger: ".o_lc_quick_create", run: "click" },
            {
                content: "a known phone names its customer",
                trigger: ".o_lc_quick_error:contains('Boris Ivanov already has the phone')",
            },
            { trigger: ".o_lc_quick_customer input[name=phone]", run: "edit 8 (903) 123-45-67" },
            { trigger: ".o_lc_quick_customer input[name=marketing_consent]", run: "click" },
            { trigger: ".o_lc_quick_customer input[name=referral_code]", run: "edit zzzz-9999" },
            { trigger: ".o_lc_quick_create", run: "click" },
            { trigger: ".o_lc_quick_error:contains('No customer has the referral code ZZZZ9999')" },
            { trigger: ".o_lc_quick_customer input[name=referral_code]", run: "edit anna-2345" },
            { trigger: ".o_lc_quick_create", run: "click" },
            ProductScreen.customerIsSelected("Nina Newcomer"),
        ].flat(),
});
