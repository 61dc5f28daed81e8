"""What a journey step offers: a mailing of its own for each later sending of
a repeated step (the win-back sequence), a coupon per customer shown in the
message, a stop on the purchase of the offered products, and the default
stimulation and cross-sell journeys."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_journeys_year import JourneyInvoicingCommon, at, day


@tagged("post_install", "-at_install")
class TestJourneyOffers(JourneyInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = cls.env["lifecycle.stage"].create({"name": "Offers Test Stage", "code": "offers_test"})
        partner_model = cls.env.ref("base.model_res_partner")
        cls.sms = cls.env["mailing.mailing"].create(
            [
                {
                    "subject": f"Offer SMS {n}",
                    "mailing_type": "sms",
                    "mailing_model_id": partner_model.id,
                    "mailing_domain": "[('id', 'in', [])]",
                    "body_plaintext": f"Offer {n} for {{{{ object.contact_first_name }}}} "
                    "in {{ object.lifecycle_stage_id.name }}",
                }
                for n in (1, 2, 3)
            ]
        )
        cls.coupon_email = cls.env["mailing.mailing"].create(
            {
                "subject": "Your coupon",
                "mailing_type": "mail",
                "mailing_model_id": partner_model.id,
                "mailing_domain": "[('id', 'in', [])]",
                "email_from": "gym@example.com",
                "body_html": '<p>Your code: <t t-out="object.lc_coupon_code"/>, until '
                '<t t-out="object.lc_coupon_expiration_date"/></p>',
            }
        )
        cls.journey = cls.env["lifecycle.journey"].create(
            {"name": "Offers Journey", "stage_id": cls.stage.id, "holdout_percent": 0}
        )
        cls.coupons = cls.env["loyalty.program"].create(
            {
                "name": "Journey: 20% off a personal training",
                "program_type": "coupons",
                "trigger": "with_code",
                "applies_on": "current",
                "rule_ids": [Command.create({})],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 20,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 1,
                        }
                    )
                ],
            }
        )
        cls.member = cls._member("Vera Offers", "+7 916 400-00-01")
        company = cls.env.company
        cls.user_loyalty = new_test_user(
            cls.env,
            login="lc_offers_user",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="lc_offers_manager",
            groups="base.group_user,loyalty_lifecycle.loyalty_lifecycle_group_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def enter(self, partner, offset=0):
        with freeze_time(at(offset)):
            partner.write({"lifecycle_stage_id": self.stage.id})

    def send(self, offset):
        with freeze_time(at(offset)), self.mock_mail_gateway(), self.mockSMSGateway():
            self.Message._send_due()
            mails = self._new_mails
        self.env.invalidate_all()
        return mails

    def messages(self, partner=None):
        return self.Message.search([("partner_id", "=", (partner or self.member).id)], order="id")

    def test_each_sending_its_own_mailing(self):
        """The win-back sequence in one step: sent three times, 30 days
        apart, with a different offer each time."""
        self.journey.step_ids = [
            Command.create(
                {
                    "mailing_id": self.sms[0].id,
                    "repeat_count": 3,
                    "repeat_every_days": 30,
                    "occurrence_ids": [
                        Command.create({"occurrence": 2, "mailing_id": self.sms[1].id}),
                        Command.create({"occurrence": 3, "mailing_id": self.sms[2].id}),
                    ],
                }
            )
        ]
        self.enter(self.member)
        for offset in (0, 0, 30, 30, 60, 60):  # each day twice: a rerun sends nothing more
            self.send(offset)
        messages = self.messages()
        self.assertEqual(messages.mapped("occurrence"), [0, 1, 2])
        self.assertEqual(messages.mapped("state"), ["sent"] * 3)
        self.assertEqual(messages.mapped("mailing_id"), self.sms)
        self.assertEqual(messages.mailing_trace_id.mass_mailing_id, self.sms)
        bodies = self.env["sms.sms"].search([("partner_id", "=", self.member.id)], order="id").mapped("body")
        self.assertEqual(
            bodies,
            [f"Offer {n} for Vera in Offers Test Stage" for n in (1, 2, 3)],
            "each sending its own text; the stage as a placeholder",
        )

    def test_without_a_line_the_step_mailing_goes_again(self):
        self.journey.step_ids = [
            Command.create(
                {
                    "mailing_id": self.sms[0].id,
                    "repeat_count": 3,
                    "repeat_every_days": 7,
                    "occurrence_ids": [Command.create({"occurrence": 3, "mailing_id": self.sms[2].id})],
                }
            )
        ]
        self.enter(self.member)
        for offset in (0, 7, 14):
            self.send(offset)
        self.assertEqual(self.messages().mailing_trace_id.mass_mailing_id.mapped("subject"), ["Offer SMS 1", "Offer SMS 3"])
        self.assertEqual([m.mailing_id.subject for m in self.messages()], ["Offer SMS 1", "Offer SMS 1", "Offer SMS 3"])

    def test_sending_numbers_are_checked(self):
        step = self.env["lifecycle.journey.step"].create(
            {"journey_id": self.journey.id, "mailing_id": self.sms[0].id, "repeat_count": 2, "repeat_every_days": 7}
        )
        Occurrence = self.env["lifecycle.journey.step.occurrence"]
        for number in (1, 3, 0, -1):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                Occurrence.create({"step_id": step.id, "occurrence": number, "mailing_id": self.sms[1].id})
        Occurrence.create({"step_id": step.id, "occurrence": 2, "mailing_id": self.sms[1].id})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            step.repeat_count = 1
        with self.assertRaises(Exception), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            Occurrence.create({"step_id": step.id, "occurrence": 2, "mailing_id": self.sms[2].id})

    def test_coupon_only_to_who_gets_the_message(self):
        self.journey.step_ids = [
            Command.create(
                {"mailing_id": self.coupon_email.id, "coupon_program_id": self.coupons.id, "coupon_validity_days": 30}
            )
        ]
        refuses = self._member("Petr Refuses", "+7 916 400-00-02")
        refuses.marketing_consent = False
        self.enter(self.member)
        self.enter(refuses)
        mails = self.send(0) | self.send(0)
        card = self.env["loyalty.card"].search([("program_id", "=", self.coupons.id)])
        self.assertEqual(card.partner_id, self.member, "no coupon for who does not get the message")
        self.assertEqual(card.points, 1)
        self.assertEqual(card.expiration_date, day(30))
        self.assertEqual(self.messages().coupon_id, card)
        self.assertEqual(self.messages(refuses).mapped("reason"), ["lc_no_consent"])
        self.assertFalse(self.messages(refuses).coupon_id)
        self.assertEqual(len(mails), 1, "a rerun gives no second coupon and sends nothing")
        self.assertIn(f"Your code: {card.code}, until {day(30)}", mails.body_html)
        self.assertEqual(self.member.with_user(self.user_loyalty).lc_coupon_code, card.code)
        # the coupon is Odoo's: its programme reward takes it at the till or on a sale
        self.assertEqual(card.program_id.reward_ids.required_points, 1)

    def test_coupon_of_another_company_refused(self):
        other = self.env["res.company"].create({"name": "Other Gym"})
        self.coupons.company_id = other
        with self.assertRaises(ValidationError):
            self.journey.step_ids = [Command.create({"mailing_id": self.sms[0].id, "coupon_program_id": self.coupons.id})]

    def test_stop_on_one_of_the_offered_products(self):
        self.journey.write({"stop_products": "products", "stop_product_ids": [Command.set(self.membership.ids)]})
        self.journey.step_ids = [
            Command.create({"mailing_id": self.sms[0].id, "delay_days": 0}),
            Command.create({"mailing_id": self.sms[1].id, "delay_days": 10, "sequence": 20}),
        ]
        self.enter(self.member)
        self.send(0)
        self._buy(self.member, [3], self.visit, 5)
        self.send(5)
        participant = self.journey.participant_ids
        self.assertEqual(participant.state, "running", "another product does not stop it")
        self._buy(self.member, [6], self.membership, 12000)
        self.send(10)
        self.assertEqual((participant.state, participant.stop_reason), ("cancelled", "lc_purchased"))
        self.assertEqual(self.messages().mapped("state"), ["sent"])
        with self.assertRaises(ValidationError):
            self.journey.stop_product_ids = [Command.clear()]

    def test_only_managers_edit_the_offers(self):
        step = self.env["lifecycle.journey.step"].create(
            {"journey_id": self.journey.id, "mailing_id": self.sms[0].id, "repeat_count": 2, "repeat_every_days": 7}
        )
        Occurrence = self.env["lifecycle.journey.step.occurrence"]
        with self.assertRaises(AccessError):
            Occurrence.with_user(self.user_loyalty).create(
                {"step_id": step.id, "occurrence": 2, "mailing_id": self.sms[1].id}
            )
        with self.assertRaises(AccessError):
            step.with_user(self.user_loyalty).coupon_program_id = self.coupons
        line = Occurrence.with_user(self.user_manager).create(
            {"step_id": step.id, "occurrence": 2, "mailing_id": self.sms[1].id}
        )
        self.assertEqual(line.with_user(self.user_loyalty).mailing_id, self.sms[1])

    def test_default_stimulation_and_cross_sell(self):
        # the main company's, read as the superuser from the test company
        stimulation = self.env.ref("loyalty_lifecycle.lifecycle_journey_stimulation").sudo()
        self.assertTrue(stimulation.active)
        self.assertEqual(stimulation.stage_id, self.env.ref("loyalty_lifecycle.lifecycle_stage_stimulation"))
        self.assertEqual(stimulation.step_ids.mapped("mailing_type"), ["mail", "sms"], "useful first, then the offer")
        self.assertEqual(stimulation.step_ids.mapped("delay_days"), [0, 10])
        self.assertEqual(set(stimulation.step_ids.mapped("condition_domain")), {"[('lc_visit_count', '>=', 3)]"})
        cross_sell = self.env.ref("loyalty_lifecycle.lifecycle_journey_cross_sell").sudo()
        self.assertEqual(cross_sell.stage_id, self.env.ref("loyalty_lifecycle.lifecycle_stage_cross_sell"))
        self.assertEqual(cross_sell.step_ids.mapped("mailing_type"), ["mail", "sms"])
        self.assertEqual(cross_sell.step_ids.mapped("delay_days"), [0, 14])
        for journey in stimulation | cross_sell:
            self.assertEqual(journey.holdout_percent, 10)
            self.assertEqual(set(journey.step_ids.mapped("marketing")), {True})
            self.assertEqual(journey.step_ids.mailing_id.mapped("mailing_model_real"), ["res.partner"] * 2)
