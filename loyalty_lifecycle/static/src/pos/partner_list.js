import { PartnerList } from "@point_of_sale/app/screens/partner_list/partner_list";
import { makeActionAwaitable } from "@point_of_sale/app/store/make_awaitable_dialog";
import { patch } from "@web/core/utils/patch";

// Digits with the usual separators: "8 916 555-12-34", "+7 (916) 555 12 34".
const PHONE_QUERY = /^\+?[\d\s().\-/]{5,}$/;

patch(PartnerList.prototype, {
    /** The query, when the cashier typed a phone number. */
    get phoneQuery() {
        const query = (this.state.query || "").trim();
        return PHONE_QUERY.test(query) ? query : "";
    },

    /** Customers the server found for the typed phone, first. The server
     * reads the number in any local format (the company's country decides
     * what "8 916 ..." means), which the local fuzzy search cannot. */
    getPartners() {
        const partners = super.getPartners(...arguments);
        const matches = this.state.phoneMatches;
        if (!this.phoneQuery || !matches || matches.query !== this.state.query) {
            return partners;
        }
        const found = matches.ids.map((id) => this.pos.models["res.partner"].get(id)).filter(Boolean);
        return [...found, ...partners.filter((partner) => !matches.ids.includes(partner.id))];
    },

    async searchPartner() {
        const result = await super.searchPartner(...arguments);
        if (this.phoneQuery) {
            const previous =
                this.state.phoneMatches?.query === this.state.query ? this.state.phoneMatches.ids : [];
            this.state.phoneMatches = {
                query: this.state.query,
                ids: [...new Set([...previous, ...result.map((partner) => partner.id)])],
            };
        }
        return result;
    },

    get isUnknownPhone() {
        const matches = this.state.phoneMatches;
        return Boolean(
            this.phoneQuery && matches && matches.query === this.state.query && !matches.ids.length
        );
    },

    /** An unknown phone: create the customer with the number filled in; the
     * form asks for the birthday and the consent to offers. */
    async createPartnerWithPhone() {
        const record = await makeActionAwaitable(
            this.pos.action,
            "point_of_sale.res_partner_action_edit_pos",
            { additionalContext: { default_phone: this.phoneQuery } }
        );
        const partners = await this.pos.data.read("res.partner", record.config.resIds);
        if (partners[0]) {
            this.clickPartner(partners[0]);
        }
    },
});
