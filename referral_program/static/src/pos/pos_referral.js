import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { patch } from "@web/core/utils/patch";

// The receipt of a customer who has a referral code invites their friends:
// the link and its QR code, both computed by the server and loaded with the
// customer (res_partner_pos.py).
patch(PosOrder.prototype, {
    export_for_printing() {
        const result = super.export_for_printing(...arguments);
        const partner = this.get_partner();
        if (partner?.pos_referral_url) {
            result.referralInvite = {
                url: partner.pos_referral_url,
                qrUrl: partner.pos_referral_qr_url,
            };
        }
        return result;
    },
});
