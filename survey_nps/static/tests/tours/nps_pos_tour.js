import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import { registry } from "@web/core/registry";

// The customer list shows each customer's last NPS answer: the score, its
// category as a coloured badge and the day; nothing for who never answered.
registry.category("web_tour.tours").add("NpsPosCustomer", {
    steps: () => {
        const year = String(new Date().getFullYear());
        const badge = (name, colour, text) => ({
            content: `${name}: ${text}`,
            trigger: `.partner-line:contains('${name}') .o_nps_pos_badge.${colour}:contains('${text}')`,
        });
        return [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            badge("Petr Promoter", "text-bg-success", "Promoter"),
            badge("Petr Promoter", "text-bg-success", "NPS 9"),
            badge("Pasha Passive", "text-bg-warning", "Passive"),
            badge("Dasha Detractor", "text-bg-danger", "Detractor"),
            badge("Dasha Detractor", "text-bg-danger", "NPS 3"),
            {
                content: "the day of the answer",
                trigger: `.partner-line:contains('Dasha Detractor') .o_nps_pos_date:contains('${year}')`,
            },
            {
                content: "no badge for a customer who never answered",
                trigger: ".partner-line:contains('Nikita Never'):not(:has(.o_nps_pos))",
            },
            ProductScreen.clickCustomer("Dasha Detractor"),
            ProductScreen.customerIsSelected("Dasha Detractor"),
        ].flat();
    },
});
