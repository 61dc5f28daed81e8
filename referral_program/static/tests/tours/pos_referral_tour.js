import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import { registry } from "@web/core/registry";

// The customer list shows Rita's code and link, and the QR code of the link
// once she is the customer of the order; her receipt invites her friends.
// Eva has no code: nothing in the list, nothing on her receipt.
registry.category("web_tour.tours").add("ReferralPosCustomer", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            {
                content: "Rita's code in the customer list",
                trigger: ".partner-line:contains('Rita Referrer') .o_rp_pos_referral_code:contains('RITA2345')",
            },
            {
                content: "and her link",
                trigger: ".partner-line:contains('Rita Referrer') .o_rp_pos_referral_url:contains('/r/RITA2345')",
            },
            {
                content: "a customer without a code shows no referral",
                trigger: ".partner-line:contains('Eva Nocode'):not(:has(.o_rp_pos_referral))",
            },
            ProductScreen.clickCustomer("Rita Referrer"),
            ProductScreen.customerIsSelected("Rita Referrer"),
            ProductScreen.clickPartnerButton(),
            {
                content: "the selected customer's QR code, drawn by Odoo's barcode route",
                trigger:
                    ".partner-line.selected:contains('Rita Referrer') img.o_rp_pos_referral_qr[src*='/report/barcode/'][src*='RITA2345']",
            },
            ProductScreen.clickCustomer("Rita Referrer"),
            ProductScreen.clickDisplayedProduct("Desk Organizer"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content: "the receipt invites Rita's friends with her link",
                trigger: ".pos-receipt .o_rp_receipt_invite_text:contains('Invite a friend:'):contains('/r/RITA2345')",
            },
            {
                content: "and its QR code",
                trigger: ".pos-receipt img.o_rp_receipt_invite_qr[src*='/report/barcode/'][src*='RITA2345']",
            },
            ReceiptScreen.clickNextOrder(),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Eva Nocode"),
            ProductScreen.clickDisplayedProduct("Desk Organizer"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content: "no invitation on the receipt of a customer without a code",
                trigger: ".pos-receipt:contains('Eva Nocode'):not(:has(.o_rp_receipt_invite))",
            },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
