import { PartnerLine } from "@point_of_sale/app/screens/partner_list/partner_line/partner_line";
import { deserializeDateTime, formatDate } from "@web/core/l10n/dates";
import { patch } from "@web/core/utils/patch";

patch(PartnerLine.prototype, {
    /** The day of the customer's last NPS answer, in the cashier's format. */
    npsDate(partner) {
        return partner.nps_last_date ? formatDate(deserializeDateTime(partner.nps_last_date)) : "";
    },
});
