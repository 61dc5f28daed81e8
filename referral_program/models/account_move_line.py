from odoo import models


class AccountMoveLine(models.Model):
    """A reconciliation that registers a payment on a customer invoice pays
    the referrers of its customer (account_move.py)."""

    _inherit = "account.move.line"

    def _reconcile_post_hook(self, data):
        res = super()._reconcile_post_hook(data)
        self.move_id._referral_pay_registered_payments()
        return res
