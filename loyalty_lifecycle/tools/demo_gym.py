"""The demo gym: a plan of customers and a year of their purchases.

Pure Python, no database: ``plan()`` returns who the customers are and what
they bought, in days before the day of the install (``age``), so that the
demo never ages. The ORM side (``res.company._demo_gym_generate``) turns the
plan into records. The same seed always gives the same plan.

Every customer follows a *profile*: the purchase history that the default
stage rules (``data/lifecycle_stage_rule_data.xml``) put in one stage today.
A visit is a purchase: a member's check-in (a zero-priced line, with the
drink or the session bought at the desk) or a single visit paid at the desk.
"""

import random
from dataclasses import dataclass, field

SEED = 2024

# key: (name, price in roubles, validity in days, internal reference)
PRODUCTS = {
    "month": ("Membership, 1 month", 3500.0, 30, "GYM-M1"),
    "quarter": ("Membership, 3 months", 9000.0, 90, "GYM-M3"),
    "year": ("Membership, 12 months", 29000.0, 365, "GYM-M12"),
    "visit": ("Single Visit", 700.0, 0, "GYM-VISIT"),
    "checkin": ("Member Check-in", 0.0, 0, "GYM-IN"),
    "pt": ("Personal Training Session", 2500.0, 0, "GYM-PT"),
    "spa": ("SPA: Massage, 60 min", 3000.0, 0, "SPA-MASSAGE"),
    "solarium": ("Solarium Session", 400.0, 0, "SPA-SOL"),
    "shake": ("Protein Shake", 350.0, 0, "BAR-SHAKE"),
    "water": ("Mineral Water", 90.0, 0, "BAR-WATER"),
}
MEMBERSHIPS = ("month", "quarter", "year")

# How many customers of each profile; the profile is the stage the default
# rules give them today ("warm" is a salesperson's move by hand, see below).
PROFILES = {
    "new_registered": 10,
    "new_buyer": 12,
    "activation": 12,
    "stimulation": 14,
    "hot_member": 14,
    "hot_visitor": 8,
    "cross_sell": 22,
    "came_back": 12,
    "warm": 9,
    "retention_month": 13,
    "retention_year": 14,
    "winback": 26,
    "lost": 34,
}
PROFILE_STAGE = {
    "new_registered": "new",
    "new_buyer": "new",
    "activation": "activation",
    "stimulation": "stimulation",
    "hot_member": "hot",
    "hot_visitor": "hot",
    "cross_sell": "cross_sell",
    "came_back": "cross_sell",
    "warm": "warm",
    "retention_month": "retention",
    "retention_year": "retention",
    "winback": "winback",
    "lost": "lost",
}
# Who looks after whom: Irina sells personal training and keeps the regulars,
# Maxim the memberships at the desk; a few customers have no salesperson.
SALESPERSON_WEIGHTS = {
    "hot_member": (7, 2, 1),
    "hot_visitor": (6, 3, 1),
    "cross_sell": (6, 3, 1),
    "came_back": (5, 4, 1),
    "warm": (5, 4, 0),  # moved to Warm by their salesperson
}
DEFAULT_SALESPERSON_WEIGHTS = (3, 6, 1)
# The gym's names in Russian and Ukrainian: {English name: (ru, uk)}. They are
# record values (products, POS categories, the points programme, its tiers),
# not strings of the code: Odoo keeps them on the records, one per language.
NAMES = {
    "Membership, 1 month": ("Абонемент на 1 месяц", "Абонемент на 1 місяць"),
    "Membership, 3 months": ("Абонемент на 3 месяца", "Абонемент на 3 місяці"),
    "Membership, 12 months": ("Абонемент на 12 месяцев", "Абонемент на 12 місяців"),
    "Single Visit": ("Разовое посещение", "Разове відвідування"),
    "Member Check-in": ("Отметка посещения", "Відмітка відвідування"),
    "Personal Training Session": ("Персональная тренировка", "Персональне тренування"),
    "SPA: Massage, 60 min": ("СПА: массаж, 60 мин", "СПА: масаж, 60 хв"),
    "Solarium Session": ("Сеанс солярия", "Сеанс солярію"),
    "Protein Shake": ("Протеиновый коктейль", "Протеїновий коктейль"),
    "Mineral Water": ("Минеральная вода", "Мінеральна вода"),
    "Memberships": ("Абонементы", "Абонементи"),
    "Visits and Training": ("Посещения и тренировки", "Відвідування і тренування"),
    "SPA": ("СПА", "СПА"),
    "Bar": ("Бар", "Бар"),
    "Sila Club Points": ("Баллы клуба «Сила»", "Бали клубу «Сила»"),
    "Club Points": ("Баллы клуба", "Бали клубу"),
    "Silver": ("Серебро", "Срібло"),
    "Gold": ("Золото", "Золото"),
}
NAME_LANGS = ("ru_RU", "uk_UA")

SALESPERSONS = (
    ("Irina Sokolova", "irina", "irina.sokolova@sila-fitness.example.com", "+7 916 200-10-01"),
    ("Maxim Orlov", "maxim", "maxim.orlov@sila-fitness.example.com", "+7 916 200-10-02"),
)

MALE_NAMES = (
    "Alexander Dmitry Maxim Sergey Andrey Alexey Artem Ilya Kirill Mikhail Nikita Matvey Roman Egor "
    "Arseny Ivan Denis Evgeny Daniil Timofey Vladislav Igor Vladimir Pavel Ruslan Mark Konstantin Oleg"
).split()
FEMALE_NAMES = (
    "Anastasia Maria Anna Victoria Ekaterina Natalia Marina Polina Sofia Daria Alisa Ksenia Alexandra "
    "Elena Olga Tatiana Irina Yulia Svetlana Valeria Veronika Alina Kristina Vera Arina Eva Milana Lyudmila"
).split()
SURNAMES = (
    "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov "
    "Alexeev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov Nikitin Zakharov "
    "Zaitsev Soloviev Borisov Yakovlev Grigoriev Romanov Vorobiev Sergeev Frolov Belov Gusev Titov Kiselev"
).split()
OPERATOR_CODES = ("903", "905", "909", "915", "916", "925", "926", "977", "985", "999")

NPS_COMMENTS = {
    "promoter": (
        "Friendly trainers, always clean.",
        "Irina's personal sessions changed my back for the better.",
        "Open early, never crowded in the morning.",
        "The sauna after a workout is the best part of my week.",
        "",
        "",
    ),
    "passive": (
        "Good gym, but the evening queue for the racks is long.",
        "Fine, a bit expensive.",
        "",
    ),
    "detractor": (
        "Too crowded in the evenings.",
        "The showers are often cold.",
        "Nobody called me when my membership ended.",
        "",
    ),
}


@dataclass
class Customer:
    index: int
    profile: str
    name: str
    phone: str
    email: str | None
    birthday_age: tuple | None  # (years, days from today to the next birthday)
    consent: bool
    salesperson: int | None  # index in SALESPERSONS
    registered_age: int  # days ago the customer joined the base
    # (age in days, [(product key, quantity), ...]), oldest first
    purchases: list = field(default_factory=list)

    @property
    def stage(self):
        return PROFILE_STAGE[self.profile]

    @property
    def first_purchase_age(self):
        return self.purchases[0][0] if self.purchases else None

    @property
    def last_purchase_age(self):
        return self.purchases[-1][0] if self.purchases else None


@dataclass
class Plan:
    customers: list
    referrals: list  # (referrer index, newcomer index), in the order they came
    nps: list  # (customer index, score 0-10, comment, age in days)

    @property
    def documents(self):
        return sum(len(customer.purchases) for customer in self.customers)


class _Planner:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.names = set()
        self.phones = set()
        self.emails = set()

    # ------------------------------------------------------------------
    # Who
    # ------------------------------------------------------------------
    def person(self, index, profile):
        rng = self.rng
        while True:
            female = rng.random() < 0.55
            first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            surname = rng.choice(SURNAMES)
            if female:
                surname += "a"
            name = f"{first} {surname}"
            if name not in self.names:
                self.names.add(name)
                break
        while True:
            code, number = rng.choice(OPERATOR_CODES), rng.randrange(10**7)
            if (code, number) not in self.phones:
                self.phones.add((code, number))
                break
        digits = f"{number:07d}"
        if rng.random() < 0.2:  # as the customer says it: "8 (916) ..."
            phone = f"8 ({code}) {digits[:3]}-{digits[3:5]}-{digits[5:]}"
        else:
            phone = f"+7 {code} {digits[:3]}-{digits[3:5]}-{digits[5:]}"
        email = None
        if rng.random() < 0.65:
            email = f"{first}.{surname}".lower()
            while f"{email}@example.com" in self.emails:
                email += str(rng.randrange(10))
            email += "@example.com"
            self.emails.add(email)
        birthday = None
        if rng.random() < 0.75:
            # A few birthdays in the coming week, for the greetings and the till's hint.
            days = rng.randrange(8) if index % 25 == 3 else rng.randrange(365)
            birthday = (rng.randint(18, 62), days)
        weights = SALESPERSON_WEIGHTS.get(profile, DEFAULT_SALESPERSON_WEIGHTS)
        salesperson = rng.choices((0, 1, None), weights=weights)[0]
        return Customer(
            index=index,
            profile=profile,
            name=name,
            phone=phone,
            email=email,
            birthday_age=birthday,
            consent=rng.random() < 0.8,
            salesperson=salesperson,
            registered_age=0,
        )

    # ------------------------------------------------------------------
    # What they bought
    # ------------------------------------------------------------------
    def every(self, start, end, low, high):
        """Ages from ``start`` down to ``end`` (both included at most), a
        visit every ``low``-``high`` days."""
        ages = []
        age = start
        while age >= end:
            ages.append(age)
            age -= self.rng.randint(low, high)
        return ages

    def desk(self, key="checkin", extras=0.3, pt=0.0, spa=0.0):
        """What one visit leaves at the desk: the check-in or single visit,
        sometimes a drink, a session or the SPA."""
        rng = self.rng
        lines = [(key, 1)]
        if rng.random() < extras:
            lines.append((rng.choice(("shake", "shake", "water", "solarium")), 1))
        if rng.random() < pt:
            lines.append(("pt", 1))
        if rng.random() < spa:
            lines.append(("spa", 1))
        return lines

    def visits(self, ages, key="checkin", **kwargs):
        return [(age, self.desk(key, **kwargs)) for age in ages]

    def history(self, customer):
        """The customer's purchases, by their profile (``_<profile>``)."""
        if customer.profile == "new_registered":
            customer.registered_age = self.rng.randint(1, 25)
            return
        buy = getattr(self, f"_{customer.profile}")()
        buy.sort(key=lambda purchase: -purchase[0])
        customer.purchases = buy
        customer.registered_age = buy[0][0]

    def _new_buyer(self):
        rng = self.rng
        first = rng.randint(2, 18)
        buy = [(first, [(rng.choice(("year", "year", "quarter")), 1)])]
        return buy + self.visits(self.every(first - 3, 0, 3, 5)[: rng.randint(0, 3)])

    def _activation(self):
        rng = self.rng
        first = rng.randint(21, 57)
        return [(first, [("quarter" if first <= 40 and rng.random() < 0.3 else "year", 1)])]

    def _stimulation(self):
        rng = self.rng
        first = rng.randint(62, 88)
        buy = [(first, [("year", 1)])]
        if rng.random() < 0.5:
            buy += self.visits([first - rng.randint(2, 6)])
        return buy + self.visits(self.every(rng.randint(30, 35), 0, 5, 9), extras=0.4)

    def _hot_member(self):
        first = self.rng.randint(110, 290)
        buy = [(first, [("year", 1)])]
        buy += self.visits(self.every(first - 5, 36, 22, 35), pt=0.2)
        return buy + self.visits(self.every(34, 0, 3, 5), extras=0.4, pt=0.3, spa=0.05)

    def _hot_visitor(self):
        first = self.rng.randint(120, 220)
        buy = self.visits(self.every(first, 36, 11, 16), key="visit", extras=0.3)
        return buy + self.visits(self.every(34, 0, 3, 5), key="visit", extras=0.3)

    def _cross_sell(self):
        rng = self.rng
        first = rng.randint(120, 310)
        if rng.random() < 0.3:  # pays per visit
            buy = self.visits(self.every(first, 0, 11, 18), key="visit", extras=0.3, spa=0.05)
        else:
            buy = [(first, [("year", 1)])]
            buy += self.visits(self.every(first - 7, 0, 12, 19), extras=0.3, pt=0.15, spa=0.08)
        if buy[-1][0] > 20:  # the latest visit within three weeks: still a regular
            buy += self.visits([rng.randint(1, 20)])
        return buy

    def _came_back(self):
        rng = self.rng
        first = rng.randint(375, 440)
        end = first - 365
        buy = [(first, [("year", 1)])]
        buy += self.visits(self.every(first - 10, end + 5, 35, 50), extras=0.2)
        renewal = rng.randint(3, min(25, end - 2))
        buy.append((renewal, [(rng.choice(("year", "year", "quarter")), 1)]))
        return buy + self.visits(self.every(renewal - 2, 0, 6, 10)[:2])

    def _warm(self):
        rng = self.rng
        first = rng.randint(220, 330)
        stop = rng.randint(66, 110)
        buy = self.visits(self.every(first, stop + 31, 14, 20), key="visit", extras=0.2)
        return buy + self.visits(self.every(stop + 28, stop, 3, 5), key="visit", extras=0.3)

    def _retention_month(self):
        first = self.rng.randint(60, 330)
        buy = [(first - 30 * n, [("month", 1)]) for n in range(first // 30 + 1)]
        return buy + self.visits(self.every(first - 4, 1, 22, 32), extras=0.25)

    def _retention_year(self):
        first = self.rng.randint(325, 392)
        return [(first, [("year", 1)])] + self.visits(self.every(first - 8, max(first - 350, 5), 38, 55), extras=0.2)

    def _winback(self):
        rng = self.rng
        kind = rng.choice(("year", "year", "quarter", "month"))
        ended = rng.randint(33, 115)
        if kind == "year":
            first = ended + 365
            return [(first, [("year", 1)])] + self.visits(self.every(first - 6, ended + 3, 45, 65), extras=0.2)
        if kind == "quarter":
            first = ended + 90
            return [(first, [("quarter", 1)])] + self.visits(self.every(first - 3, ended + 2, 9, 14), extras=0.2)
        months = [ended + 30 + 30 * n for n in range(rng.randint(1, 4))]
        buy = [(age, [("month", 1)]) for age in months]
        return buy + self.visits(self.every(months[-1] - 3, ended + 2, 8, 12), extras=0.2)

    def _lost(self):
        rng = self.rng
        kind = rng.choice(("year", "year", "quarter", "quarter", "month", "visit"))
        if kind == "year":
            first = rng.randint(488, 700)
            visits = self.every(min(first - 6, 364), first - 360, 40, 60)
            return [(first, [("year", 1)])] + self.visits(visits, extras=0.2)
        if kind == "quarter":
            first = rng.randint(215, 420)
            return [(first, [("quarter", 1)])] + self.visits(self.every(first - 4, first - 85, 11, 16), extras=0.2)
        if kind == "month":
            last = rng.randint(155, 330)
            months = [last + 30 * n for n in range(rng.randint(1, 3))]
            buy = [(age, [("month", 1)]) for age in months]
            return buy + self.visits(self.every(months[-1] - 3, last - 25, 8, 12))
        # came a few times, more than a year ago
        return self.visits(self.every(rng.randint(400, 520), 370, 12, 30), key="visit")

    # ------------------------------------------------------------------
    # Referrals and NPS
    # ------------------------------------------------------------------
    def referrals(self, customers):
        """A few customers brought friends, and one friend brought another:
        (referrer, newcomer) pairs, a newcomer joining after the referrer."""
        rng = self.rng
        regulars = [c for c in customers if c.profile in ("hot_member", "cross_sell", "retention_year", "came_back")]
        newcomers = [c for c in customers if c.profile in ("new_registered", "new_buyer", "activation", "stimulation")]
        rng.shuffle(regulars)
        rng.shuffle(newcomers)
        pairs = []
        referrers = regulars[:5]
        for referrer, count in zip(referrers, (3, 2, 2, 1, 1), strict=True):
            for _i in range(count):
                newcomer = next(c for c in newcomers if c.registered_age < referrer.registered_age)
                newcomers.remove(newcomer)
                pairs.append((referrer.index, newcomer.index))
        # A chain: a friend who came in spring brought a friend of their own.
        brought = [customers[n] for _r, n in pairs if customers[n].profile == "stimulation"]
        if brought:
            friend = next(c for c in newcomers if c.registered_age < brought[0].registered_age)
            pairs.append((brought[0].index, friend.index))
        return pairs

    def nps(self, customers):
        """The NPS question, answered about 30 days after joining by a third
        of the customers who have been with the gym that long."""
        rng = self.rng
        odds = {  # (promoter, passive, detractor)
            "hot_member": (8, 2, 0),
            "hot_visitor": (7, 3, 0),
            "cross_sell": (6, 3, 1),
            "came_back": (6, 3, 1),
            "stimulation": (5, 4, 1),
            "warm": (3, 4, 3),
            "retention_month": (4, 4, 2),
            "retention_year": (4, 4, 2),
            "winback": (2, 3, 5),
            "lost": (1, 3, 6),
        }
        answers = []
        for customer in customers:
            first = customer.first_purchase_age
            if customer.profile not in odds or first is None or first < 35 or rng.random() > 0.4:
                continue
            category = rng.choices(("promoter", "passive", "detractor"), weights=odds[customer.profile])[0]
            score = {
                "promoter": rng.choice((9, 10, 10)),
                "passive": rng.choice((7, 8)),
                "detractor": rng.choice((2, 4, 5, 6, 6)),
            }[category]
            answers.append((customer.index, score, rng.choice(NPS_COMMENTS[category]), first - rng.randint(28, 33)))
        return answers


def plan(seed=SEED, profiles=None):
    """The demo gym's customers and their purchases; the same ``seed`` gives
    the same plan. ``profiles`` ({profile: count}) replaces PROFILES."""
    planner = _Planner(seed)
    customers = []
    for profile, count in (profiles or PROFILES).items():
        for _i in range(count):
            customer = planner.person(len(customers), profile)
            planner.history(customer)
            customers.append(customer)
    return Plan(customers=customers, referrals=planner.referrals(customers), nps=planner.nps(customers))
