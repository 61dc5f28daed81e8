"""The customer's last NPS answer at the till: loaded with the customers of
the cashier's session, shown in the customer list as a coloured badge with
its date; nothing for a customer who never answered."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.loyalty_lifecycle.tests.common import warm_pos_assets
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

from .test_nps_input import nps_survey
from .test_nps_loop import finish_answer

POS_NPS_FIELDS = ("nps_last_score", "nps_last_category", "nps_last_date")


@tagged("post_install", "-at_install")
class TestNpsPos(TestPointOfSaleHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the survey and the answers are the server's (the survey's routes run as sudo)
        survey, question = nps_survey(cls.env(su=True))
        Partner = cls.env["res.partner"].sudo()
        cls.petr = Partner.create({"name": "Petr Promoter"})
        cls.pasha = Partner.create({"name": "Pasha Passive"})
        cls.dasha = Partner.create({"name": "Dasha Detractor"})
        cls.nikita = Partner.create({"name": "Nikita Never"})
        for partner, score in ((cls.petr, 9), (cls.pasha, 7), (cls.dasha, 3)):
            finish_answer(survey, question, partner, score)

    def test_session_loads_the_last_answer(self):
        self.assertFalse(self.pos_user.has_group("loyalty_lifecycle.loyalty_lifecycle_group_user"))
        self.main_pos_config.with_user(self.pos_user).open_ui()
        session = self.main_pos_config.current_session_id.with_user(self.pos_user)
        data = session.load_data([])
        self.assertTrue(set(POS_NPS_FIELDS) <= set(data["res.partner"]["fields"]))
        loaded = {partner["id"]: partner for partner in data["res.partner"]["data"]}
        for partner, score, category in (
            (self.petr, 9, "promoter"),
            (self.pasha, 7, "passive"),
            (self.dasha, 3, "detractor"),
        ):
            with self.subTest(partner=partner.name):
                values = loaded[partner.id]
                self.assertEqual((values["nps_last_score"], values["nps_last_category"]), (score, category))
                self.assertEqual(values["nps_last_date"], partner.nps_last_date)
        nikita = loaded[self.nikita.id]
        self.assertEqual([nikita[name] for name in POS_NPS_FIELDS], [0, False, False])

    def test_the_till_cannot_set_an_answer(self):
        nikita = self.nikita.with_user(self.pos_user)
        for vals in ({"nps_last_score": 10}, {"nps_last_category": "promoter"}, {"nps_last_date": "2026-01-01"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "when they finish an NPS survey"):
                nikita.write(vals)
        self.assertFalse(self.nikita.nps_last_category)

    def test_tour_customer_list_shows_the_last_answer(self):
        warm_pos_assets(self.env)
        self.start_pos_tour("NpsPosCustomer", login="pos_user")
