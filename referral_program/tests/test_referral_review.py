"""The rewards of a flagged friend are held: no points until a manager
approves them (credited once through the ledger, under the monthly cap) or
rejects them (nothing credited, the reason kept); a refund while they are
held reduces them; plain users review nothing."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .common_referral import ReferralRewardsMixin


@tagged("post_install", "-at_install")
class TestReferralReview(TestPoSCommon, ReferralRewardsMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.setup_referral_chain(pos_config_ids=[Command.set(cls.config.ids)])
        cls.visit = cls.create_product("Gym visit", cls.categ_basic, 100.0)
        groups = "base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_"
        company = {"company_id": cls.env.company.id, "company_ids": cls.env.company.ids}
        cls.cb_user = new_test_user(cls.env, login="rv_user", groups=groups + "user", **company)
        cls.cb_manager = new_test_user(
            cls.env, login="rv_manager", name="Review Manager", groups=groups + "manager", **company
        )
        cls.other_manager = new_test_user(cls.env, login="rv_manager2", groups=groups + "manager", **company)
        Partner = cls.env["res.partner"].sudo()
        # Carl's wife is a contact of Carl; Fedor signs up with her phone: Carl brought him
        Partner.create({"name": "Carl's wife", "parent_id": cls.carl.id, "phone": "+7 903 555-55-55"})
        cls.fedor = Partner.create({"name": "Fedor", "phone": "+7 903 555-55-55", "referred_by_id": cls.carl.id})

    def _pay(self, customer, quantity=10, refund_of=None):
        data = self.create_ui_order_data([(self.visit, quantity)], customer=customer)
        if refund_of:
            for command, line in zip(data["lines"], refund_of.lines, strict=False):
                command[2]["refunded_orderline_id"] = line.id
        result = self.env["pos.order"].sync_from_ui([data])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def rewards_of(self, order):
        return self.referral_rewards([("source_model", "=", "pos.order"), ("source_id", "=", order.id)]).sorted(
            "level"
        )

    def points(self):
        return [self.referral_points(p) for p in (self.carl, self.boris, self.anna)]

    def test_flagged_friend_rewards_are_held(self):
        self.assertEqual(self.fedor.referral_flag_ids.kind, "household_phone")
        self.open_new_session()
        order = self._pay(self.fedor)
        rewards = self.rewards_of(order)
        self.assertEqual([(r.state, r.points) for r in rewards], [("held", 50), ("held", 30), ("held", 10)])
        self.assertFalse(rewards.entry_id)
        self.assertEqual(self.points(), [0, 0, 0], "no spendable points before the review")
        self.carl.sudo().referral_code = "CRLX2345"
        referral = self.carl.sudo()._loyalty_portal_values()["referral"]
        self.assertEqual((referral["pending"], referral["friends"][0]["points"]), (50, 0), "My loyalty: pending")
        # a clean friend's purchase pays at once
        self._pay(self.dora, quantity=2)
        self.assertEqual(self.points(), [10, 6, 2])
        self.assertEqual(self.referral_rewards([("state", "=", "paid")]).friend_id, self.dora)

    def test_a_held_reward_approved_and_another_rejected(self):
        self.open_new_session()
        approved_order = self._pay(self.fedor)  # 50 / 30 / 10 held
        rejected_order = self._pay(self.fedor, quantity=2)  # 10 / 6 / 2 held
        to_approve, to_reject = self.rewards_of(approved_order), self.rewards_of(rejected_order)
        self.assertIn("Same phone number as Carl, Carl's wife", to_approve[0].flag_reasons)

        to_approve.with_user(self.cb_manager).action_approve()
        self.assertEqual(self.points(), [50, 30, 10])
        self.assertEqual(set(to_approve.mapped("state")), {"paid"})
        self.assertEqual(to_approve.reviewer_id, self.cb_manager)
        entry = self.referral_entries(self.carl)
        self.assertEqual(
            (entry.points, entry.origin, entry.order_model, entry.order_id, to_approve[0].entry_id),
            (50, "referral", "pos.order", approved_order.id, entry),
        )
        self.assertLedgerMatches(self.referral_card(self.carl))

        wizard = self.env["referral.reward.reject"].with_user(self.cb_manager).create(
            {"reward_ids": [Command.set(to_reject.ids)], "reason": "Fedor is the second phone of Carl"}
        )
        wizard.action_confirm()
        self.assertEqual(set(to_reject.mapped("state")), {"rejected"})
        self.assertEqual(set(to_reject.mapped("reject_reason")), {"Fedor is the second phone of Carl"})
        self.assertEqual(self.points(), [50, 30, 10], "a rejected reward credits nothing")
        notes = self.fedor.message_ids.mapped("body")
        rejected = "rejected by Review Manager (Fedor is the second phone of Carl)"
        self.assertTrue(any(rejected in n for n in notes), notes)
        self.assertTrue(any("approved by Review Manager: 50.0 points to Carl" in n for n in notes), notes)

        # approved again, by another manager, together with the rejected ones: nothing more
        (to_approve | to_reject).with_user(self.other_manager).action_approve()
        to_approve.with_user(self.cb_manager).action_approve()
        self.assertEqual(self.points(), [50, 30, 10])
        self.assertEqual(len(self.referral_entries(self.carl)), 1, "credited once")
        self.assertEqual(set(to_reject.mapped("state")), {"rejected"})
        self.assertEqual(to_approve.reviewer_id, self.cb_manager)
        # another manager's approval committed meanwhile: the cache still says held, the database does not
        late = self.rewards_of(self._pay(self.fedor, quantity=1))
        self.assertEqual(set(late.mapped("state")), {"held"})
        self.env.cr.execute("UPDATE referral_reward SET state = 'paid' WHERE id IN %s", [tuple(late.ids)])
        late.with_user(self.cb_manager).action_approve()
        self.assertEqual(len(self.referral_entries(self.carl)), 1, "nothing credited from a stale screen")

    def test_plain_user_reviews_nothing(self):
        self.open_new_session()
        rewards = self.rewards_of(self._pay(self.fedor))
        as_user = rewards.with_user(self.cb_user)
        self.assertEqual(len(as_user.search([("state", "=", "held")])), 3, "the user sees the queue")
        with self.assertRaises(AccessError):
            as_user.action_approve()
        with self.assertRaises(AccessError):
            as_user.action_open_reject()
        with self.assertRaises(AccessError):
            self.env["referral.reward.reject"].with_user(self.cb_user).create(
                {"reward_ids": [Command.set(rewards.ids)], "reason": "no"}
            )
        with self.assertRaises(AccessError):
            as_user._referral_reject("no")
        self.assertEqual(set(rewards.mapped("state")), {"held"})
        self.assertEqual(self.points(), [0, 0, 0])
        menu = self.env.ref("referral_program.referral_reward_menu_review")
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.cb_user)._visible_menu_ids())
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.cb_manager)._visible_menu_ids())

    def test_refund_of_a_held_purchase_reduces_what_is_held(self):
        self.open_new_session()
        order = self._pay(self.fedor)  # 50 / 30 / 10 held
        self._pay(self.fedor, quantity=-4, refund_of=order)  # 40% comes back
        rewards = self.rewards_of(order)
        self.assertEqual([(r.state, r.refunded_points) for r in rewards], [("held", 20), ("held", 12), ("held", 4)])
        self.assertEqual(self.points(), [0, 0, 0], "nothing taken back: nothing was credited")
        rewards.with_user(self.cb_manager).action_approve()
        self.assertEqual(self.points(), [30, 18, 6])
        self.assertFalse(self.referral_card(self.carl).points_entry_ids.filtered(lambda e: e.kind == "reverse"))
        # a purchase refunded in full before the review: cancelled, nothing to approve
        other = self._pay(self.fedor, quantity=2)
        self._pay(self.fedor, quantity=-2, refund_of=other)
        cancelled = self.rewards_of(other)
        self.assertEqual(set(cancelled.mapped("state")), {"cancelled"})
        cancelled.with_user(self.cb_manager).action_approve()
        self.assertEqual(self.points(), [30, 18, 6])

    def test_monthly_cap_holds_across_approvals(self):
        self.program.sudo().referral_monthly_cap = 60
        with freeze_time("2026-03-02 10:00:00"):
            self.open_new_session()
            first = self._pay(self.fedor)  # Carl 50 held
            second = self._pay(self.fedor, quantity=4)  # Carl 20 held
            # held points do not take the cap of a clean friend's purchase
            self._pay(self.dora)  # Carl 50 paid
            self.assertEqual(self.referral_points(self.carl), 50)
        with freeze_time("2026-04-10 10:00:00"):
            # approved the next month: the cap of March still holds
            self.rewards_of(first).with_user(self.cb_manager).action_approve()
            self.assertEqual(self.referral_points(self.carl), 60)
            carl_first = self.rewards_of(first)[0]
            self.assertEqual((carl_first.points, carl_first.capped_points), (10, 40))
            self.rewards_of(second).with_user(self.other_manager).action_approve()
            carl_second = self.rewards_of(second)[0]
            self.assertEqual((carl_second.state, carl_second.points, carl_second.capped_points), ("paid", 0, 20))
            self.assertEqual(self.points(), [60, 60, 10 + 4 + 10])
        self.assertLedgerMatches(self.referral_card(self.carl))
