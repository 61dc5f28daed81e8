from odoo.addons.loyalty_lifecycle.tests.common_points import PointsLedgerMixin


class ReferralRewardsMixin(PointsLedgerMixin):
    """A loyalty programme that pays referrals (5% / 3% / 1%, one point per
    unit of currency) and a chain of who brought whom:
    Anna brought Boris, Boris brought Carl, Carl brought Dora, Dora brought Eva."""

    @classmethod
    def setup_referral_chain(cls, **program_values):
        env = cls.env
        # the configuration and the chain are set up by an administrator
        cls.env = env(su=True)
        try:
            program = cls.create_points_program(
                referral_enabled=True, points_refund_policy="negative", **program_values
            )
        finally:
            cls.env = env
        cls.program = program.with_env(env)
        Partner = env["res.partner"].sudo()
        cls.anna = Partner.create({"name": "Anna"})
        cls.boris = Partner.create({"name": "Boris", "referred_by_id": cls.anna.id})
        cls.carl = Partner.create({"name": "Carl", "referred_by_id": cls.boris.id})
        cls.dora = Partner.create({"name": "Dora", "referred_by_id": cls.carl.id})
        cls.eva = Partner.create({"name": "Eva", "referred_by_id": cls.dora.id})
        for name in ("anna", "boris", "carl", "dora", "eva"):
            setattr(cls, name, getattr(cls, name).with_env(env))

    # The tests run as the users who sell (cashiers, accountants), who read
    # neither the referrers' cards nor the rewards: the assertions read them
    # as an administrator.

    def referral_card(self, partner, program=None):
        return self.env["loyalty.card"].sudo().search(
            [("partner_id", "=", partner.id), ("program_id", "=", (program or self.program).id)]
        )

    def referral_points(self, partner, program=None):
        """Referral points on ``partner``'s card: the balance of its referral
        lots less what refunds took back."""
        card = self.referral_card(partner, program)
        return card.points if card else 0.0

    def referral_rewards(self, domain=()):
        return self.env["referral.reward"].sudo().search(list(domain))

    def referral_entries(self, partner):
        return self.referral_card(partner).points_entry_ids.filtered(lambda e: e.origin == "referral")
