import { Component, useState } from "@odoo/owl";
import { PartnerList } from "@point_of_sale/app/screens/partner_list/partner_list";
import { usePos } from "@point_of_sale/app/store/pos_hook";
import { makeAwaitable } from "@point_of_sale/app/store/make_awaitable_dialog";
import { Dialog } from "@web/core/dialog/dialog";
import { patch } from "@web/core/utils/patch";

/** A customer in seconds: name, phone as the customer says it, consent to
 * offers (and what other addons add, like the referral code). The server
 * checks every value and normalises the phone (pos_create_customer). */
export class QuickCustomerDialog extends Component {
    static template = "loyalty_lifecycle.QuickCustomerDialog";
    static components = { Dialog };
    static props = {
        close: Function,
        getPayload: Function,
        phone: { type: String, optional: true },
    };

    setup() {
        this.pos = usePos();
        this.state = useState({
            name: "",
            phone: this.props.phone || "",
            marketing_consent: false,
            referral_code: "",
            error: "",
            busy: false,
        });
    }

    /** What the till sends: the typed values, as they are. */
    get values() {
        const values = {
            name: this.state.name,
            phone: this.state.phone,
            marketing_consent: this.state.marketing_consent,
            config_id: this.pos.config.id,
        };
        if (this.state.referral_code.trim()) {
            values.referral_code = this.state.referral_code;
        }
        return values;
    }

    async confirm() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            const created = await this.pos.data.call("res.partner", "pos_create_customer", [
                this.values,
            ]);
            const partners = await this.pos.data.read("res.partner", [created.id]);
            this.props.getPayload(partners[0]);
            this.props.close();
        } catch (error) {
            this.state.error = error?.data?.message || error?.message || String(error);
        } finally {
            this.state.busy = false;
        }
    }
}

patch(PartnerList.prototype, {
    async createQuickCustomer() {
        const partner = await makeAwaitable(this.dialog, QuickCustomerDialog, {
            phone: this.phoneQuery || "",
        });
        if (partner) {
            this.clickPartner(partner);
        }
    },
});
