import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import { registry } from "@web/core/registry";

// The phone is the card: the cashier types the number as the customer says
// it ("8 916 ..."), finds them, sees where they stand, and redeems points.
registry.category("web_tour.tours").add("LoyaltyLifecyclePhoneRedeem", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.addOrderline("Desk Organizer", "4"),
            ProductScreen.clickPartnerButton(),
            {
                content: "type the phone in the local format",
                trigger: ".modal-dialog .input-group input",
                run: "edit 8 916 555-12-34",
            },
            {
                content: "search on the server",
                trigger: ".search-more-button > button",
                run: "click",
            },
            {
                content: "the customer is found, with stage and birthday hint",
                trigger:
                    ".partner-list .partner-info:contains('Boris Ivanov') .o_lc_stage:contains('Activation')",
            },
            {
                trigger: ".partner-list .partner-info:contains('Boris Ivanov') .o_lc_birthday",
            },
            {
                content: "the points of the card, fetched with the customer",
                trigger: ".partner-list .partner-info:contains('Boris Ivanov'):contains('150.00')",
            },
            {
                content: "select the customer",
                trigger: ".partner-list .partner-info:contains('Boris Ivanov')",
                run: "click",
            },
            ProductScreen.customerIsSelected("Boris Ivanov"),
            {
                content: "the selected customer's stage shows above the order",
                trigger: ".o_lc_selected_customer .o_lc_stage:contains('Activation')",
            },
            PosLoyalty.isRewardButtonHighlighted(true),
            PosLoyalty.claimReward("$ 10 on your order"),
            PosLoyalty.hasRewardLine("$ 10 on your order", "-10.00"),
            PosLoyalty.finalizeOrder("Cash", "20"),
        ].flat(),
});

registry.category("web_tour.tours").add("LoyaltyLifecycleUnknownPhone", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            {
                trigger: ".modal-dialog .input-group input",
                run: "edit 8 999 000-00-00",
            },
            {
                trigger: ".search-more-button > button",
                run: "click",
            },
            {
                content: "an unknown phone offers to create the customer",
                trigger: ".o_lc_create_with_phone button:contains('8 999 000-00-00')",
                run: "click",
            },
            {
                content: "the phone is filled in (and formatted for the country)",
                trigger: ".modal .o_field_widget[name=phone] input",
                run() {
                    if (!["8 999 000-00-00", "+7 999 000-00-00"].includes(this.anchor.value)) {
                        throw new Error(`phone is "${this.anchor.value}", not the typed number`);
                    }
                },
            },
            {
                trigger: ".modal .o_field_widget[name=name] input",
                run: "edit Nina Newcomer",
            },
            {
                content: "the customer agrees to receive offers",
                trigger: ".modal .o_field_widget[name=marketing_consent] input",
                run: "click",
            },
            {
                trigger: ".modal .o_form_button_save",
                run: "click",
            },
            ProductScreen.customerIsSelected("Nina Newcomer"),
        ].flat(),
});

// Another till spent the customer's points between the reward and Validate:
// the server refuses the order with a message naming the customer and the
// programme; the order stays open, the cashier removes the reward and
// validates again.
registry.category("web_tour.tours").add("LoyaltyLifecyclePointsGoneAtValidate", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.addOrderline("Desk Organizer", "4"),
            ProductScreen.clickPartnerButton(),
            {
                trigger: ".modal-dialog .input-group input",
                run: "edit 8 916 555-12-34",
            },
            {
                trigger: ".search-more-button > button",
                run: "click",
            },
            {
                trigger: ".partner-list .partner-info:contains('Boris Ivanov')",
                run: "click",
            },
            ProductScreen.customerIsSelected("Boris Ivanov"),
            PosLoyalty.claimReward("$ 10 on your order"),
            PosLoyalty.hasRewardLine("$ 10 on your order", "-10.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.clickNumpad("2 0"),
            PaymentScreen.clickValidate(),
            {
                content: "the server's refusal names the customer and the programme",
                trigger:
                    ".modal .modal-body:contains('Boris Ivanov does not have enough points in Gym Club Points for the rewards of this order')",
            },
            Dialog.confirm(),
            PaymentScreen.isShown(),
            PaymentScreen.clickBack(),
            PosLoyalty.removeRewardLine("$ 10 on your order"),
            PosLoyalty.finalizeOrder("Cash", "30"),
        ].flat(),
});
