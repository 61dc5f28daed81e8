from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestReferralLock(AccountTestInvoicingCommon):
    """Who brought a customer changes through a wizard with a reason, logged
    on the customer; once the customer has paid, only a manager changes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cb_user = new_test_user(
            cls.env, login="rp_lock_user", groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user"
        )
        cls.cb_manager = new_test_user(
            cls.env,
            login="rp_lock_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
        )
        Partner = cls.env["res.partner"].sudo()
        cls.anna = Partner.create({"name": "Anna"})
        cls.olga = Partner.create({"name": "Olga", "referral_code": "QGAX2345"})
        cls.boris = Partner.create({"name": "Boris", "referred_by_id": cls.anna.id})

    def _change(self, user, referrer, reason="The customer named another friend"):
        action = self.boris.with_user(user).action_change_referrer()
        form = Form(self.env[action["res_model"]].with_user(user).with_context(action["context"]))
        form.referrer_id = referrer
        if reason is not None:
            form.reason = reason
        return form.save().action_confirm()

    def _pay_an_invoice(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.boris.id,
                "invoice_date": "2026-03-01",
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_a.id, "quantity": 1, "price_unit": 100, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": 40, "payment_difference_handling": "open"}
        )._create_payments()
        self.assertEqual(invoice.payment_state, "partial")

    def test_user_changes_the_referrer_before_the_first_paid_purchase(self):
        self._change(self.cb_user, self.olga)
        self.assertEqual(self.boris.referred_by_id, self.olga)
        self.assertIn("The customer named another friend", self.boris.message_ids[0].body)
        self.assertIn("Anna", self.boris.message_ids[0].body)

    def test_after_a_paid_purchase_only_a_manager_changes_it_with_a_reason(self):
        self._pay_an_invoice()
        with self.assertRaisesRegex(AccessError, "only a Customer Base manager changes their referrer"):
            self._change(self.cb_user, self.olga)
        # nor through a code, nor by writing the field
        with self.assertRaisesRegex(UserError, "already referred by Anna"):
            self.boris.with_user(self.cb_user).action_apply_referral_code("QGAX2345")
        with self.assertRaises(UserError), self.cr.savepoint():
            self.boris.with_user(self.cb_user).referred_by_id = self.olga
        self.assertEqual(self.boris.referred_by_id, self.anna)
        with self.assertRaisesRegex(UserError, "Give the reason"), self.cr.savepoint():
            self._change(self.cb_manager, self.olga, reason="   ")
        self._change(self.cb_manager, self.olga)
        self.assertEqual(self.boris.referred_by_id, self.olga)
        log = self.boris.message_ids[0]
        self.assertIn("Reason: The customer named another friend", log.body)
        self.assertIn("Anna", log.body)

    def test_a_manager_cannot_move_a_customer_into_a_circle(self):
        self.olga.sudo().referred_by_id = self.boris
        with self.assertRaisesRegex(ValidationError, "Boris brought Olga"), self.cr.savepoint():
            self._change(self.cb_manager, self.olga)
        self.assertEqual(self.boris.referred_by_id, self.anna)
