"""Speed and memory of the customer-base jobs on a large base.

Generates (with --generate) a synthetic gym/shop customer base straight in SQL:
N customers, each with a year of posted invoices (a visit product, and a
one-year membership for every second customer), then times on real Odoo and
PostgreSQL:

- the ABC-XYZ run of the company (one SQL statement plus the partner classes);
- the evaluation of the lifecycle stage rules (who moves where);
- the daily cron applying the moves in its batches, until nothing is left;
- a second cron run the same day (must move nobody);
- the journeys: one day's due messages for every customer selected and
  written as the day's queue, then batches of the daily journey cron through
  the contact policy and Odoo's SMS queue (the whole day extrapolated from
  them, and said so);
- the NPS figures over 100,000 answers: the survey's own score, and *NPS
  Analysis* (NPS and response rate by month, NPS by the stage when
  answered), against the bare GROUP BY over the same answers;
- the referral reward on a paid purchase at three levels, against the SQL
  floor of writing the same rows.

Memory is the growth of the process's peak RSS during each step. Prints a
Markdown table for the README. Run it with ``bin/bench``.
"""

import argparse
import json
import resource
import time
from datetime import date

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, config


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Step:
    def __init__(self, rows, name):
        self.rows, self.name = rows, name

    def __enter__(self):
        self.t0, self.m0 = time.perf_counter(), rss_mib()
        return self

    def __exit__(self, *exc):
        seconds = time.perf_counter() - self.t0
        self.rows.append((self.name, seconds, rss_mib() - self.m0, getattr(self, "note", "")))
        print(f"{self.name}: {seconds:.1f} s, peak RSS +{rss_mib() - self.m0:.0f} MiB {getattr(self, 'note', '')}")


def generate(env, customers, per_customer, today):
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    income = journal.default_account_id
    Product = env["product.product"]
    visit = Product.create({"name": "Bench Visit", "type": "service", "list_price": 5})
    membership = Product.create({"name": "Bench Membership", "type": "service", "validity_days": 365})
    env.flush_all()
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, active, type, is_company, customer_rank, supplier_rank,
                                     autopost_bills, create_date, write_date, create_uid, write_uid)
            SELECT 'Customer ' || i, 'Customer ' || i, TRUE, 'contact', FALSE, 1, 0, 'ask',
                   NOW(), NOW(), 1, 1
              FROM generate_series(1, %(n)s) i
            """,
            n=customers,
        )
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    # Each customer: 1..2*per_customer-1 visits spread over the year before
    # today (a deterministic spread: customer i buys every k-th day), and
    # every second customer a membership bought on some day of the year.
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_purchase AS
            SELECT p.id AS partner_id, %(visit)s AS product_id,
                   (%(today)s::date - mod(p.id * 7919 + g * 37, 365))::date AS date,
                   (5 + mod(p.id, 20) * 3 + mod(g, 5))::numeric AS amount
              FROM res_partner p
              CROSS JOIN LATERAL generate_series(1, 1 + mod(p.id, 2 * %(k)s - 1)) g
             WHERE starts_with(p.name, 'Customer ') AND p.customer_rank = 1
            UNION ALL
            SELECT p.id, %(membership)s, (%(today)s::date - mod(p.id * 31, 540))::date, 300
              FROM res_partner p
             WHERE starts_with(p.name, 'Customer ') AND p.customer_rank = 1 AND mod(p.id, 2) = 0
            """,
            visit=visit.id,
            membership=membership.id,
            today=today,
            k=per_customer,
        )
    )
    cr.execute(
        "ALTER TABLE bench_purchase ADD COLUMN move_id integer; "
        "UPDATE bench_purchase SET move_id = nextval('account_move_id_seq')"
    )
    cr.execute(
        SQL(
            """
            INSERT INTO account_move (id, name, journal_id, company_id, currency_id, state, move_type, auto_post,
                                      date, invoice_date, partner_id, commercial_partner_id,
                                      create_date, write_date, create_uid, write_uid)
            SELECT move_id, '/', %(journal)s, %(company)s, %(currency)s, 'posted', 'out_invoice', 'no',
                   date, date, partner_id, partner_id, NOW(), NOW(), 1, 1
              FROM bench_purchase;
            INSERT INTO account_move_line (move_id, journal_id, company_id, currency_id, company_currency_id,
                                           display_type, account_id, partner_id, product_id, quantity, date,
                                           parent_state, balance, debit, credit, amount_currency, price_unit,
                                           price_subtotal, create_date, write_date, create_uid, write_uid)
            SELECT move_id, %(journal)s, %(company)s, %(currency)s, %(currency)s,
                   'product', %(account)s, partner_id, product_id, 1, date,
                   'posted', -amount, 0, amount, -amount, amount, amount, NOW(), NOW(), 1, 1
              FROM bench_purchase;
            """,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            account=income.id,
        )
    )
    cr.execute("SELECT COUNT(*), COUNT(DISTINCT partner_id) FROM bench_purchase")
    lines, partners = cr.fetchone()
    cr.execute("DROP TABLE bench_purchase; ANALYZE res_partner; ANALYZE account_move; ANALYZE account_move_line")
    env.invalidate_all()
    return lines, partners


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--purchases-per-customer", type=int, default=12)
    parser.add_argument("--generate", action="store_true", help="add the synthetic customers first")
    parser.add_argument("--today", default=date.today().isoformat())
    parser.add_argument(
        "--steps",
        default="segmentation,stages,pos,journeys,nps,referral",
        help="comma-separated: segmentation,stages,pos,journeys,nps,referral",
    )
    parser.add_argument("--referral-orders", type=int, default=200, help="paid purchases timed by the referral step")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    today = date.fromisoformat(args.today)
    registry = odoo.modules.registry.Registry(args.database)
    rows = []

    if args.generate:
        with registry.cursor() as cr, Step(rows, "generate the customer base (SQL)") as step:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines, partners = generate(env, args.customers, args.purchases_per_customer, today)
            step.note = f"{partners:,} customers, {lines:,} invoices"

    with registry.cursor() as cr:
        cr.execute("SELECT COUNT(*) FROM customer_purchase")
        print(f"purchase facts: {cr.fetchone()[0]:,}")

    steps = args.steps.split(",")
    if "segmentation" in steps:
        measure_segmentation(registry, rows, today)
    if "stages" in steps:
        measure_stage_rules(registry, rows, today)
    if "pos" in steps:
        measure_pos_loading(registry, rows)
    if "journeys" in steps:
        measure_journeys(registry, rows, today)
    if "nps" in steps:
        measure_nps(registry, rows, today)
    if "referral" in steps:
        measure_referral(registry, rows, today, args.referral_orders)

    print()
    print("| step | time | peak RSS growth | result |")
    print("| --- | --- | --- | --- |")
    for name, seconds, mib, note in rows:
        print(f"| {name} | {seconds:.1f} s | {mib:.0f} MiB | {note} |")


def measure_segmentation(registry, rows, today):
    with registry.cursor() as cr, Step(rows, "ABC-XYZ run, one company") as step:
        env = api.Environment(cr, SUPERUSER_ID, {})
        run = env["abc.xyz.run"]._run_for_companies(env.company, today)
        step.note = f"{run.customer_count:,} customers classified"


def measure_stage_rules(registry, rows, today):
    from odoo.addons.loyalty_lifecycle.models.lifecycle_stage_rule import CRON_BATCH_SIZE  # noqa: PLC0415

    with registry.cursor() as cr:
        # Every run measures the first day of the stage rules on this base.
        cr.execute(
            "UPDATE res_partner SET lifecycle_stage_id = NULL, lifecycle_stage_date = NULL, "
            "lifecycle_manual_date = NULL, lifecycle_hold_until = NULL"
        )
        cr.execute("DELETE FROM lifecycle_stage_history; DELETE FROM lifecycle_stage_count")
        cr.execute("DELETE FROM lifecycle_stage_run")

    with registry.cursor() as cr, Step(rows, "stage rules: who moves where") as step:
        env = api.Environment(cr, SUPERUSER_ID, {})
        changes = env["lifecycle.stage.rule"]._compute_stage_changes(today)
        step.note = f"{len(changes):,} moves found"
        cr.rollback()

    batch_size = CRON_BATCH_SIZE
    with Step(rows, f"stage cron until done (batches of {batch_size:,}, each committed)") as step:
        batches = moved_total = 0
        while True:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                moved, remaining = env["lifecycle.stage.rule"]._update_stages(today=today, batch_size=batch_size)
            batches += 1
            moved_total += moved
            if not remaining:
                break
        step.note = f"{moved_total:,} customers moved in {batches} batches"

    with registry.cursor() as cr, Step(rows, "stage cron, second run the same day") as step:
        env = api.Environment(cr, SUPERUSER_ID, {})
        moved, remaining = env["lifecycle.stage.rule"]._update_stages(today=today, batch_size=batch_size)
        step.note = f"{moved} moved"
        assert (moved, remaining) == (0, 0), "a second run must change nothing"


def measure_pos_loading(registry, rows):
    """Open a POS session on a loyalty programme with a card for every
    customer: what the till downloads, against what stock Odoo would."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        config = env["pos.config"].search([("name", "=", "Bench Till")], limit=1)
        if not config:
            cash = env["account.journal"].search([("type", "=", "cash"), ("company_id", "=", env.company.id)], limit=1)
            method = env["pos.payment.method"].create({"name": "Bench Cash", "journal_id": cash.id})
            config = env["pos.config"].create({"name": "Bench Till", "payment_method_ids": [(6, 0, method.ids)]})
            program = env["loyalty.program"].create(
                {
                    "name": "Bench Club",
                    "program_type": "loyalty",
                    "pos_config_ids": [(6, 0, config.ids)],
                    "points_ledger": False,  # cards inserted in SQL below, outside the ledger
                    "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1})],
                    "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 5, "required_points": 100})],
                }
            )
            env.flush_all()
            cr.execute(
                SQL(
                    """
                    INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                              create_uid, create_date, write_uid, write_date)
                    SELECT %(program)s, %(company)s, p.id, 'BENCH-' || p.id, mod(p.id, 500), TRUE,
                           1, NOW(), 1, NOW()
                      FROM res_partner p
                     WHERE starts_with(p.name, 'Customer ')
                    """,
                    program=program.id,
                    company=env.company.id,
                )
            )
        if not config.current_session_id:
            config.with_user(env.ref("base.user_admin")).open_ui()
        # as the cashier opening the till (the admin here)
        session = config.current_session_id.with_user(env.ref("base.user_admin"))
        cr.commit()
        program = env["loyalty.program"].search([("name", "=", "Bench Club")], limit=1)

        with Step(rows, "POS session load (all models)") as step:
            data = session.load_data([])
            cards = data["loyalty.card"]["data"]
            size = len(json.dumps(data["loyalty.card"], default=str))
            customers = len(data["res.partner"]["data"])
            step.note = f"{len(cards):,} loyalty cards sent ({size / 1024:.0f} KiB) for {customers} customers"

        with Step(rows, "what stock Odoo 18 would send: every card of the programme") as step:
            fields_ = env["loyalty.card"]._load_pos_data_fields(config.id)
            stock = env["loyalty.card"].search_read([("program_id", "in", program.ids)], fields_, load=False)
            size = len(json.dumps(stock, default=str))
            step.note = f"{len(stock):,} loyalty cards ({size / 1024 / 1024:.1f} MiB)"
        cr.rollback()


def measure_journeys(registry, rows, today):
    """Every bench customer enters a journey whose first step is an SMS due
    today, next to the default journeys (the customers the stage step moved
    are in them): count the due messages, write the day's queue (one row each, the
    unique key), then send a few batches as the cron does, through the
    contact policy and Odoo's SMS queue. Everything is rolled back."""
    from datetime import datetime, time as dtime  # noqa: PLC0415

    from freezegun import freeze_time  # noqa: PLC0415

    now = datetime.combine(today, dtime(9))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        journey = env["lifecycle.journey"].search([("name", "=", "Bench Journey")], limit=1)
        if not journey:
            stage = env["lifecycle.stage"].create({"name": "Bench Journey Stage", "code": "bench_journey"})
            mailing = env["mailing.mailing"].create(
                {
                    "subject": "Bench SMS",
                    "mailing_type": "sms",
                    "mailing_model_id": env.ref("base.model_res_partner").id,
                    "mailing_domain": "[('id', 'in', [])]",
                    "body_plaintext": "{{ object.contact_first_name }}, a solarium session at half price this month.",
                }
            )
            journey = env["lifecycle.journey"].create(
                {
                    "name": "Bench Journey",
                    "stage_id": stage.id,
                    "stop_on_purchase": False,
                    "step_ids": [(0, 0, {"mailing_id": mailing.id, "delay_days": 0, "window_days": 3})],
                }
            )
        # the default journeys run too, with the customers the stage step moved into their stages
        env.flush_all()
        cr.execute(
            SQL(
                """
                DELETE FROM lifecycle_journey_participant WHERE journey_id = %(journey)s;
                UPDATE res_partner
                   SET marketing_consent = TRUE,
                       mobile = '+7916' || lpad(mod(id, 10000000)::text, 7, '0'),
                       phone_sanitized = '+7916' || lpad(mod(id, 10000000)::text, 7, '0')
                 WHERE starts_with(name, 'Customer ');
                INSERT INTO lifecycle_journey_participant (partner_id, journey_id, company_id, start_date, state,
                                                          holdout, create_uid, create_date, write_uid, write_date)
                SELECT p.id, %(journey)s, %(company)s, %(today)s, 'running', mod(p.id * 7919, 100) < 10,
                       1, NOW(), 1, NOW()
                  FROM res_partner p
                 WHERE starts_with(p.name, 'Customer ');
                ANALYZE lifecycle_journey_participant;
                """,
                journey=journey.id,
                company=env.company.id,
                today=today,
            )
        )
        cr.commit()
        Message = env["lifecycle.journey.message"]

        with Step(rows, "journeys: the day's due messages counted (the selection alone)") as step:
            cr.execute(Message._due_query(now, SQL("COUNT(*)")))
            due = cr.fetchone()[0]
            step.note = f"{due:,} messages due"

        with Step(
            rows, "journeys: the day's first cron call: event journeys started, stops on purchase, the day's queue"
        ) as step, freeze_time(now):
            Message._send_due(batch_size=0)
            queued = Message._pending_count()
            step.note = f"{queued:,} messages queued, one row each"
        claim_seconds = rows[-1][1]

        batches, batch_size = 3, 500
        with Step(rows, f"journeys: {batches} batches of {batch_size} sent (contact policy, Odoo's SMS queue)") as step:
            sent = 0
            for _batch in range(batches):
                with freeze_time(now):
                    done, remaining = Message._send_due(batch_size)
                sent += done
            per_batch = (time.perf_counter() - step.t0) / batches
            cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM sms_sms s JOIN mailing_mailing m ON m.id = s.mailing_id WHERE m.subject = %s",
                    "Bench SMS",
                )
            )
            queued = cr.fetchone()[0]
            step.note = (
                f"{sent:,} processed, {queued:,} SMS queued, {remaining:,} waiting; the whole day of {due:,}: "
                f"about {claim_seconds + per_batch * due / batch_size:.0f} s (extrapolated)"
            )
        cr.rollback()


NPS_ANSWERS = 100_000


def generate_nps_answers(env, survey, today):
    """NPS_ANSWERS invitations of the bench customers to the default NPS
    survey over the last year, nine in ten answered (0-10, spread evenly),
    written straight in SQL as the survey's routes would leave them."""
    cr = env.cr
    question = survey.nps_question_id
    cr.execute(
        SQL(
            """
            WITH customers AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n
                  FROM res_partner WHERE customer_rank > 0 AND name LIKE %(names)s ORDER BY id LIMIT %(count)s
            ), inputs AS (
                INSERT INTO survey_user_input
                       (survey_id, partner_id, access_token, state, nps_invited_on, nps_invite_channel,
                        nps_company_id, end_datetime, nps_score, nps_category, test_entry,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(survey)s, c.id, gen_random_uuid()::text,
                       CASE WHEN mod(c.n, 10) = 0 THEN 'new' ELSE 'done' END,
                       %(today)s::timestamp - make_interval(days => mod(c.n, 365)::int + 1),
                       'sms', %(company)s,
                       CASE WHEN mod(c.n, 10) <> 0 THEN %(today)s::timestamp - make_interval(days => mod(c.n, 365)::int) END,
                       CASE WHEN mod(c.n, 10) <> 0 THEN mod(c.n * 7, 11) END,
                       CASE WHEN mod(c.n, 10) = 0 THEN NULL
                            WHEN mod(c.n * 7, 11) >= 9 THEN 'promoter'
                            WHEN mod(c.n * 7, 11) >= 7 THEN 'passive' ELSE 'detractor' END,
                       FALSE, 1, NOW(), 1, NOW()
                  FROM customers c
                RETURNING id, nps_score
            )
            INSERT INTO survey_user_input_line
                   (user_input_id, survey_id, question_id, answer_type, value_scale, skipped,
                    create_uid, create_date, write_uid, write_date)
            SELECT id, %(survey)s, %(question)s, 'scale', nps_score, FALSE, 1, NOW(), 1, NOW()
              FROM inputs WHERE nps_score IS NOT NULL
            """,
            names="Customer %",
            count=NPS_ANSWERS,
            survey=survey.id,
            question=question.id,
            company=env.company.id,
            today=today,
        )
    )
    cr.execute("ANALYZE survey_user_input; ANALYZE survey_user_input_line")


def measure_nps(registry, rows, today):
    """The NPS over NPS_ANSWERS answers: the survey's score (Odoo's form
    shows it), and NPS Analysis grouped by month and by stage, against the
    bare aggregate over the same answers; each read once before it is timed
    (warm cache, as on a server in use)."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        survey = env.ref("survey_nps.survey_nps_default")
        cr.execute("SELECT COUNT(*) FROM survey_user_input WHERE survey_id = %s", [survey.id])
        if cr.fetchone()[0] < NPS_ANSWERS:
            with Step(rows, "generate NPS answers (SQL)") as step:
                generate_nps_answers(env, survey, today)
                step.note = f"{NPS_ANSWERS:,} invitations, nine in ten answered"

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        survey = env.ref("survey_nps.survey_nps_default")
        Report = env["survey.nps.report"]
        for warm_up in (
            lambda: survey._compute_nps(),
            lambda: Report._read_group([], ["date:month"], ["nps_value:avg", "response_rate:avg", "__count"]),
            lambda: Report._read_group([], ["lifecycle_stage_id"], ["nps_value:avg"]),
        ):
            warm_up()
        floor_sql = SQL(
            """
            SELECT date_trunc('month', COALESCE(end_datetime, nps_invited_on)),
                   AVG(CASE nps_category WHEN 'promoter' THEN 100.0 WHEN 'detractor' THEN -100.0
                                         WHEN 'passive' THEN 0.0 END),
                   AVG(CASE WHEN state = 'done' THEN 100.0 ELSE 0.0 END)
              FROM survey_user_input
             WHERE survey_id = %s AND nps_invited_on IS NOT NULL
             GROUP BY 1
            """,
            survey.id,
        )
        cr.execute(floor_sql)  # warm up
        floor = _timed(lambda: cr.execute(floor_sql))
        with Step(rows, "NPS of the survey (its form)") as step:
            survey.invalidate_recordset(["nps_score"])
            score = survey.nps_score
            step.note = f"NPS {score:.1f} over {survey.nps_response_count:,} answers"
        with Step(rows, "NPS Analysis: NPS and response rate by month") as step:
            t0 = time.perf_counter()
            months = Report._read_group([], ["date:month"], ["nps_value:avg", "response_rate:avg", "__count"])
            seconds = time.perf_counter() - t0
            step.note = (
                f"{len(months)} months, {sum(count for *_x, count in months):,} rows; "
                f"SQL floor {floor:.2f} s ({seconds / floor:.1f}x)"
            )
        with Step(rows, "NPS Analysis: NPS by stage when answered") as step:
            stages = Report._read_group([], ["lifecycle_stage_id"], ["nps_value:avg"])
            step.note = f"{len(stages)} stage group(s)"


def _timed(function):
    t0 = time.perf_counter()
    function()
    return time.perf_counter() - t0


def measure_referral(registry, rows, today, orders):
    """The referral reward on a paid purchase (``referral.reward._referral_pay``,
    what a paid POS order or an invoice's payment calls): three levels of
    referrers paid in points through the ledger. ``orders`` chains of four
    bench customers (a friend and three referrers above), each friend paying
    one invoice first (the referrers' cards created, caches warm), then a
    second invoice timed, flushed to the database one by one. The floor:
    the same rows written with three plain statements per purchase (the
    rewards, the ledger entries, the cards' points). Everything is rolled
    back."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env.company
        env["loyalty.program"].search([("referral_enabled", "=", True)]).referral_enabled = False
        program = env["loyalty.program"].create(
            {
                "name": "Bench Referral Club",
                "program_type": "loyalty",
                "referral_enabled": True,  # 5% / 3% / 1% by default
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 5, "required_points": 100})],
            }
        )
        env.flush_all()
        # chains of four customers who have two posted invoices or more: the
        # fourth, the friend, brought by the third, brought by the second...
        cr.execute(
            SQL(
                """
                WITH buyers AS (
                    SELECT am.partner_id,
                           (ARRAY_AGG(am.id ORDER BY am.id))[1:2] AS invoices,
                           ROW_NUMBER() OVER (ORDER BY am.partner_id) - 1 AS n
                      FROM account_move am
                      JOIN res_partner p ON p.id = am.partner_id
                     WHERE am.move_type = 'out_invoice' AND am.state = 'posted'
                       AND starts_with(p.name, 'Customer ') AND p.referred_by_id IS NULL
                     GROUP BY am.partner_id
                    HAVING COUNT(*) >= 2
                     LIMIT %(customers)s
                )
                SELECT friend.partner_id, friend.invoices, l1.partner_id, l2.partner_id, l3.partner_id
                  FROM buyers friend
                  JOIN buyers l1 ON l1.n = friend.n - 1
                  JOIN buyers l2 ON l2.n = friend.n - 2
                  JOIN buyers l3 ON l3.n = friend.n - 3
                 WHERE mod(friend.n, 4) = 3
                """,
                customers=orders * 4,
            )
        )
        chains = cr.fetchall()
        if len(chains) < orders:
            raise SystemExit(f"referral step: {len(chains)} chains of customers with two invoices, {orders} wanted")
        for friend, _invoices, level1, level2, level3 in chains:
            cr.execute(
                SQL(
                    "UPDATE res_partner SET referred_by_id = CASE id WHEN %(f)s THEN %(l1)s WHEN %(l1)s THEN %(l2)s "
                    "WHEN %(l2)s THEN %(l3)s END WHERE id IN %(ids)s",
                    f=friend,
                    l1=level1,
                    l2=level2,
                    ids=(friend, level1, level2),
                    l3=level3,
                )
            )
        env.invalidate_all()
        Reward = env["referral.reward"]
        Partner, Move = env["res.partner"], env["account.move"]
        currency = company.currency_id
        purchases = [(Partner.browse(row[0]), Move.browse(row[1][0]), Move.browse(row[1][1])) for row in chains]

        def pay(friend, invoice):
            rewards = Reward._referral_pay(friend, invoice, f"bench-{invoice.id}", 100.0, currency, company)
            env.flush_all()
            return rewards

        for friend, first, _second in purchases:  # the referrers' cards, warm caches
            pay(friend, first)
        queries = cr.sql_log_count
        with Step(rows, f"referral: the reward on a paid purchase, 3 levels, {orders} purchases") as step:
            paid = Reward
            for friend, _first, second in purchases:
                paid |= pay(friend, second)
            seconds = time.perf_counter() - step.t0
            per_query = (cr.sql_log_count - queries) / orders
            assert len(paid) == 3 * orders, f"{len(paid)} rewards for {orders} purchases"
            step.note = (
                f"{seconds / orders * 1000:.1f} ms per purchase (target 5 ms), {per_query:.0f} queries each; "
                f"{len(paid):,} rewards and ledger entries"
            )
        entries = paid.entry_id
        cards = entries.card_id
        card_of = {entry.partner_id.id: entry.card_id.id for entry in entries}

        chains = [(friend, second, friend._referral_chain()) for friend, _first, second in purchases]
        name = f"referral: SQL floor, the same rows in 3 plain statements per purchase, {orders} purchases"
        with Step(rows, name) as step:
            for friend, second, chain in chains:
                reward_rows = [
                    (program.id, company.id, friend.id, referrer.id, level, second.id, f"floor-{second.id}", points)
                    for level, (referrer, points) in enumerate(zip(chain, (5.0, 3.0, 1.0)), start=1)
                ]
                cr.execute(
                    SQL(
                        """
                        INSERT INTO referral_reward (program_id, company_id, friend_id, referrer_id, level, kind,
                                                     date, source_model, source_id, payment_ref, base_amount,
                                                     percent, points, capped_points)
                        SELECT v.program, v.company, v.friend, v.referrer, v.level, 'percent', NOW(),
                               'account.move', v.source, v.ref, 100, v.points, v.points, 0
                          FROM (VALUES %s) AS v(program, company, friend, referrer, level, source, ref, points)
                        """,
                        SQL(", ").join(SQL("%s", row) for row in reward_rows),
                    )
                )
                entry_rows = [(card_of[referrer.id], program.id, company.id, referrer.id, points, second.id)
                              for referrer, points in zip(chain, (5.0, 3.0, 1.0))]
                cr.execute(
                    SQL(
                        """
                        INSERT INTO loyalty_points_entry (card_id, program_id, company_id, partner_id, date, kind,
                                                          origin, points, remaining, is_lot, is_pending,
                                                          order_model, order_id)
                        SELECT v.card, v.program, v.company, v.partner, NOW(), 'earn', 'referral', v.points,
                               v.points, TRUE, FALSE, 'account.move', v.source
                          FROM (VALUES %s) AS v(card, program, company, partner, points, source)
                        """,
                        SQL(", ").join(SQL("%s", row) for row in entry_rows),
                    )
                )
                cr.execute(
                    SQL(
                        "UPDATE loyalty_card SET points = loyalty_card.points + v.points "
                        "FROM (VALUES %s) AS v(card, points) WHERE loyalty_card.id = v.card",
                        SQL(", ").join(SQL("%s", (row[0], row[4])) for row in entry_rows),
                    )
                )
            seconds = time.perf_counter() - step.t0
            step.note = f"{seconds / orders * 1000:.2f} ms per purchase, {len(cards):,} cards"
        cr.rollback()


if __name__ == "__main__":
    main()
