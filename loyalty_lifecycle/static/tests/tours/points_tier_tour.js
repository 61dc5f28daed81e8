import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import { registry } from "@web/core/registry";

// A Silver customer (x1.5) buys a smoothie of 7.00 at one point per rouble:
// the till shows 10.5 points, the receipt prints 10.5, the ledger credits 10.5.
registry.category("web_tour.tours").add("LoyaltyLifecycleTierPoints", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Tanya Tier"),
            ProductScreen.customerIsSelected("Tanya Tier"),
            ProductScreen.clickDisplayedProduct("Tier Smoothie"),
            PosLoyalty.pointsAwardedAre("10.5"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.clickNumpad("7"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content: "the receipt prints the points the till showed",
                trigger: ".pos-receipt .loyalty div:contains('Won'):contains('10.5')",
            },
            {
                content: "and the balance the ledger keeps",
                trigger: ".pos-receipt .loyalty div:contains('Balance'):contains('30.5')",
            },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
