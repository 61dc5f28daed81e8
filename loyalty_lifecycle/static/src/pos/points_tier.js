import "@pos_loyalty/overrides/models/pos_order";
import "@pos_loyalty/overrides/models/pos_store";
import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { roundPrecision } from "@web/core/utils/numbers";
import { patch } from "@web/core/utils/patch";

// The tier the customer holds before the order multiplies the points the
// order earns in a programme with tiers: the till shows, the receipt prints
// and the server credits the same number (the server checks it).
const CARD_FIELDS = ["id", "points", "code", "partner_id", "program_id", "expiration_date"];

patch(PosOrder.prototype, {
    /** The multiplier of the customer's card in ``program`` (1 without a tier). */
    getPointsTierMultiplier(program) {
        const partner = this.get_partner();
        if (!program?.points_has_tiers || !partner) {
            return 1;
        }
        const card = this.models["loyalty.card"].find(
            (c) => c.partner_id?.id === partner.id && c.program_id?.id === program.id
        );
        return card?.points_tier_multiplier || 1;
    },

    pointsForPrograms(programs) {
        const result = super.pointsForPrograms(...arguments);
        for (const program of programs) {
            const multiplier = this.getPointsTierMultiplier(program);
            if (multiplier !== 1 && result[program.id]) {
                result[program.id] = result[program.id].map((change) => ({
                    ...change,
                    points: roundPrecision(change.points * multiplier, 0.01),
                }));
            }
        }
        return result;
    },

    _getPointsCorrection(program) {
        const correction = super._getPointsCorrection(...arguments);
        const multiplier = this.getPointsTierMultiplier(program);
        return multiplier === 1 ? correction : roundPrecision(correction * multiplier, 0.01);
    },
});

patch(PosStore.prototype, {
    /** Cards fetched for a customer carry their tier multiplier. */
    async fetchCoupons(domain, limit = 1) {
        return await this.data.searchRead(
            "loyalty.card",
            domain,
            [...CARD_FIELDS, "points_tier_multiplier"],
            { limit }
        );
    },

    /** The customer's card of a programme with tiers is loaded before the
     * points are counted, so that the first count has the multiplier. */
    async updatePrograms() {
        const order = this.get_order();
        const partner = order?.get_partner();
        if (partner) {
            for (const program of this.models["loyalty.program"].getAll()) {
                if (program.points_has_tiers && program.is_nominative) {
                    await this.fetchLoyaltyCard(program.id, partner.id);
                }
            }
        }
        return await super.updatePrograms(...arguments);
    },
});
