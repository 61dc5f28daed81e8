"""The demo gym's plan, without a database: who the customers are and what
they bought, the same for the same seed, in every stage."""

import unittest

from odoo.addons.loyalty_lifecycle.tools import demo_gym


class TestDemoGymPlan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = demo_gym.plan()

    def test_same_seed_same_plan(self):
        again = demo_gym.plan()
        self.assertEqual(again.customers, self.plan.customers)
        self.assertEqual((again.referrals, again.nps), (self.plan.referrals, self.plan.nps))
        other = demo_gym.plan(seed=7)
        self.assertNotEqual([c.name for c in other.customers], [c.name for c in self.plan.customers])

    def test_two_hundred_customers_in_every_stage(self):
        customers = self.plan.customers
        self.assertEqual(len(customers), 200)
        self.assertEqual(
            {c.stage for c in customers},
            {"new", "activation", "stimulation", "cross_sell", "hot", "warm", "retention", "winback", "lost"},
        )
        self.assertEqual(len({c.name for c in customers}), 200, "names are unique")
        self.assertEqual(len({c.phone for c in customers}), 200, "phones are unique")
        self.assertTrue(all(c.phone.startswith(("+7 9", "8 (9")) for c in customers))
        self.assertEqual({c.salesperson for c in customers}, {0, 1, None})
        self.assertTrue(any(c.birthday_age and c.birthday_age[1] <= 7 for c in customers), "birthdays this week")
        self.assertGreater(self.plan.documents, 1500)

    def test_purchases_are_in_the_past_and_in_order(self):
        for customer in self.plan.customers:
            ages = [age for age, _lines in customer.purchases]
            self.assertEqual(ages, sorted(ages, reverse=True), customer.name)
            self.assertTrue(all(age >= 0 for age in ages), customer.name)
            self.assertGreaterEqual(customer.registered_age, ages[0] if ages else 1)
            for _age, lines in customer.purchases:
                self.assertTrue(lines)
                self.assertTrue(all(key in demo_gym.PRODUCTS and qty > 0 for key, qty in lines))
        never = [c for c in self.plan.customers if not c.purchases]
        self.assertEqual({c.profile for c in never}, {"new_registered"})

    def test_memberships_match_the_stage(self):
        """The validity the default rules read: retention ends within 45
        days, win-back ended 30-119 days ago, a hot member is far from the end."""

        def validity_end(customer):
            ends = [
                age - demo_gym.PRODUCTS[key][2]
                for age, lines in customer.purchases
                for key, _qty in lines
                if key in demo_gym.MEMBERSHIPS
            ]
            return min(ends) if ends else None  # days ago (negative: in the future)

        for customer in self.plan.customers:
            end = validity_end(customer)
            if customer.stage == "retention":
                self.assertTrue(-45 <= end <= 29, (customer.name, end))
            elif customer.stage == "winback":
                self.assertTrue(30 <= end <= 119, (customer.name, end))
            elif customer.stage in ("hot", "cross_sell", "stimulation", "activation"):
                self.assertTrue(end is None or end < -45, (customer.name, end))

    def test_referrals_follow_the_calendar_and_chain(self):
        customers = self.plan.customers
        referred_by = {}
        for referrer, newcomer in self.plan.referrals:
            self.assertNotEqual(referrer, newcomer)
            self.assertNotIn(newcomer, referred_by, "one referrer per newcomer")
            self.assertGreater(customers[referrer].registered_age, customers[newcomer].registered_age)
            referred_by[newcomer] = referrer
        chains = [n for n in referred_by if referred_by[n] in referred_by]
        self.assertTrue(chains, "a friend brought a friend")

    def test_nps_answers_in_every_category(self):
        scores = [score for _index, score, _comment, _age in self.plan.nps]
        self.assertTrue(all(0 <= score <= 10 for score in scores))
        self.assertTrue(any(score >= 9 for score in scores))
        self.assertTrue(any(7 <= score <= 8 for score in scores))
        self.assertTrue(any(score <= 6 for score in scores))
        self.assertTrue(all(age >= 0 for *_rest, age in self.plan.nps))
