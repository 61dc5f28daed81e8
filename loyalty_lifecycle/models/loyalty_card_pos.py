from odoo import api, models


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    @api.model
    def _load_pos_data_domain(self, data):
        """Opening a POS session loads the cards of the customers the session
        loads (its frequent customers and those of its open orders), not every
        card of the programs: a programme with 100,000 members would otherwise
        ship them all to every till. The POS fetches the card of any other
        customer when the cashier finds and selects them (pos_loyalty's
        fetchLoyaltyCard and partner search)."""
        domain = super()._load_pos_data_domain(data)
        partner_ids = [partner["id"] for partner in data.get("res.partner", {}).get("data", [])]
        return domain + [("partner_id", "in", partner_ids)]
