"""The demo data: accounts that each follow a story, with usage, contracts, value points and revenue to match.

Everything is drawn from one `random.Random`, in a fixed order, so a seed and a day give the same rows.
Rows are plain dicts of strings keyed by the importer's canonical CSV headers.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from bot.demo.names import CompanyName, CompanyNamer
from bot.demo.people import REGION_OWNERS, TOUR_CSM, team_rows

KINDS = ("team", "accounts", "contracts", "metrics", "milestones", "movements")

HEADERS: dict[str, tuple[str, ...]] = {
    "team": ("email", "name", "role", "slack_user_id", "manager_email", "timezone", "locale"),
    "accounts": (
        "account_id",
        "name",
        "domain",
        "segment",
        "region",
        "arr",
        "seats",
        "csm_email",
        "ae_email",
        "am_email",
        "lifecycle_stage",
        "status",
        "start_date",
        "aliases",
    ),
    "contracts": (
        "contract_id",
        "account_id",
        "start_date",
        "end_date",
        "arr",
        "auto_renew",
        "notice_days",
        "status",
    ),
    "metrics": ("account_id", "date", "metric", "value"),
    "milestones": ("account_id", "name", "due_date", "achieved_date"),
    "movements": ("account_id", "date", "kind", "arr_delta"),
}

ACME_ID = "ACC-0001"
ACME_NAME = "Acme Corporation"
CHANNEL_NAME = "Hooli <!channel> & Partners"
MENTION_NAME = "Globex & Sons <@U123>"

CONTRACT_ACTIVE = "active"
CONTRACT_CHURNED = "churned"

# Shares of the generated accounts (the three named ones come on top).
_SEGMENTS = (("enterprise", 0.15), ("mid_market", 0.35), ("smb", 0.50))
_REGIONS = (("japan", 0.40), ("north_america", 0.25), ("emea", 0.20), ("apac", 0.15))
# A story is how an account's health moves over time; "sliding" accounts are the ones meant to end up red.
_STORIES = (
    ("stable", 0.39),
    ("improving", 0.12),
    ("middling", 0.14),
    ("sliding", 0.10),
    ("recovering", 0.04),
    ("onboarding", 0.08),
    ("churned", 0.13),
)
# Chance that a value point due so far was reached by its deadline, by story.
_ON_TIME = {
    "stable": 0.9,
    "improving": 0.8,
    "onboarding": 0.8,
    "middling": 0.55,
    "recovering": 0.5,
    "sliding": 0.3,
    "churned": 0.2,
    "acme": 1.0,
}
_AUTO_RENEW = {"smb": 0.8, "mid_market": 0.6, "enterprise": 0.25}
_NOTICE_DAYS = 60

_ONBOARDING_POINTS = {
    "en": ("Kick-off and admin setup done", "First team working in the product", "First value review held"),
    "ja": ("キックオフと管理者設定の完了", "最初のチームで本番利用を開始", "初回の成果確認を実施"),
}
_YEARLY_POINTS = {
    "en": (
        "Usage goals for the year agreed",
        "Rolled out to a second department",
        "ROI confirmed in a business review",
    ),
    "ja": ("年間の利用目標を合意", "2つ目の部門へ展開", "ビジネスレビューで投資対効果を確認"),
}


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def quota(rng: random.Random, count: int, shares: Sequence[tuple[str, float]]) -> list[str]:
    """`count` labels in the given proportions (largest remainder), shuffled: exact shares, random order."""
    exact = [(label, share * count) for label, share in shares]
    sizes = {label: int(value) for label, value in exact}
    left = count - sum(sizes.values())
    for label, _ in sorted(exact, key=lambda item: item[1] - int(item[1]), reverse=True)[:left]:
        sizes[label] += 1
    labels = [label for label, _ in shares for _ in range(sizes[label])]
    rng.shuffle(labels)
    return labels


@dataclass
class _Plan:
    """One account and the story its data tells."""

    external_id: str
    company: CompanyName
    segment: str
    region: str
    story: str
    arr: int  # current ARR; for a churned account, what it paid before leaving
    seats: int
    start: date
    csm: str
    ae: str
    am: str | None
    knots: list[tuple[int, float]] = field(default_factory=list)  # (day offset from today, health 0..1)
    churned_on: date | None = None
    quiet_from: int | None = None  # no calls or meetings from this day offset on
    survey_at: int | None = None  # an extra NPS survey on this day offset
    # How far the account has gone towards leaving (0..1), as knots like `knots`: seat use falls, support
    # tickets pile up and surveys turn sour, while the rest of its data looks like any account's.
    leaving: list[tuple[int, float]] = field(default_factory=lambda: [(0, 0.0)])
    # How widely the customer uses the product and how often it meets its CSM: habits of the customer
    # more than signs of risk (many happy customers use few features and rarely take a call).
    breadth: float = 0.8
    meeting_pace: float = 1.0  # multiplies the days between calls

    @property
    def language(self) -> str:
        return "ja" if self.region == "japan" else "en"


@dataclass
class DemoData:
    rows: dict[str, list[dict[str, str]]]


class DemoGenerator:
    def __init__(self, *, today: date, seed: int, accounts: int, history_days: int) -> None:
        if accounts < 3:
            raise ValueError("the demo needs at least 3 accounts (Acme and the two awkward names)")
        if history_days < 1:
            raise ValueError("history_days must be at least 1")
        self.today = today
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.history_days = history_days
        self.window_start = today - timedelta(days=history_days - 1)
        self._owner_turn: dict[tuple[str, int], int] = {}

    def generate(self) -> DemoData:
        plans = self._plans()
        rows: dict[str, list[dict[str, str]]] = {kind: [] for kind in KINDS}
        rows["team"] = team_rows()
        for plan in plans:
            contract = self._contract(plan)
            movements = self._movements(plan)
            rows["accounts"].append(self._account_row(plan, contract, movements))
            rows["contracts"].extend([*self._previous_term(plan, contract), contract])
            rows["metrics"].extend(self._metrics(plan))
            rows["milestones"].extend(self._milestones(plan, contract))
            rows["movements"].extend(movements)
        return DemoData(rows=rows)

    # --- who the accounts are -------------------------------------------------------------------

    def _plans(self) -> list[_Plan]:
        rng = self.rng
        namer = CompanyNamer(rng)
        plans = [self._acme(namer), *self._awkward_names(namer)]
        generated = self.accounts - len(plans)
        segments = quota(rng, generated, _SEGMENTS)
        regions = quota(rng, generated, _REGIONS)
        stories = quota(rng, generated, _STORIES)
        for index in range(generated):
            region, segment, story = regions[index], segments[index], stories[index]
            english = region != "japan" or rng.random() < 0.1
            company = namer.english(region) if english else namer.japanese()
            plan = self._plan(f"ACC-{len(plans) + 1:04d}", company, segment, region, story)
            plans.append(plan)
        return plans

    def _plan(self, external_id: str, company: CompanyName, segment: str, region: str, story: str) -> _Plan:
        rng = self.rng
        arr, seats = account_size(self.rng, segment)
        csms, aes, ams = REGION_OWNERS[region]
        has_am = segment == "enterprise" or (segment == "mid_market" and rng.random() < 0.5)
        plan = _Plan(
            external_id=external_id,
            company=company,
            segment=segment,
            region=region,
            story=story,
            arr=arr,
            seats=seats,
            start=self.today,
            csm=self._next_owner(region, 0, csms),
            ae=self._next_owner(region, 1, aes),
            am=self._next_owner(region, 2, ams) if has_am else None,
        )
        plan.breadth = rng.uniform(0.2, 1.0)
        plan.meeting_pace = rng.uniform(0.6, 2.4)
        self._tell(plan)
        return plan

    def _next_owner(self, region: str, role: int, people: tuple[str, ...]) -> str:
        turn = self._owner_turn.get((region, role), 0)
        self._owner_turn[(region, role)] = turn + 1
        return people[turn % len(people)]

    def _tell(self, plan: _Plan) -> None:
        """Choose when the account started and how its health moves (knots of a piecewise-linear curve)."""
        rng, today = self.rng, self.today
        u = rng.uniform
        match plan.story:
            case "onboarding":
                plan.start = today - timedelta(days=rng.randint(5, 85))
                begun = (plan.start - today).days
                plan.knots = [(begun, 0.45), (begun + 30, u(0.65, 0.9))]
            case "churned":
                # The causes show months ahead, as in real churn, and in particular places: seat use
                # falls, tickets pile up unanswered and the last survey comes back low, while logins per
                # active user, features and meetings look like any middling account's. The shipped
                # scorecard weighs everything alike; `csbot calibrate` finds what mattered.
                plan.churned_on = today - timedelta(days=rng.randint(10, 330))
                plan.start = add_years(plan.churned_on + timedelta(days=1), -rng.randint(1, 3))
                gone = (plan.churned_on - today).days
                plan.knots = [(0, u(0.5, 0.72))]
                # One in four leaves with little warning in the data (a budget cut, an acquisition).
                depth = u(0.15, 0.35) if rng.random() < 0.25 else u(0.6, 0.9)
                plan.leaving = [(gone - rng.randint(180, 240), 0.0), (gone - 60, depth), (gone, 1.0)]
                plan.survey_at = gone - rng.randint(95, 130)
            case _:
                # Some established accounts are still in their first year.
                young = rng.random() < 0.15
                days_ago = rng.randint(100, 364) if young else rng.randint(365, 1500)
                plan.start = today - timedelta(days=days_ago)
                plan.knots = self._knots(plan)

    def _knots(self, plan: _Plan) -> list[tuple[int, float]]:
        rng = self.rng
        u = rng.uniform
        match plan.story:
            case "stable":
                level = u(0.7, 0.95)
                return [(0, level)]
            case "improving":
                return [(-180, u(0.38, 0.58)), (0, u(0.76, 0.93))]
            case "middling":
                return [(0, u(0.45, 0.64))]
            case "sliding":
                turn = -rng.randint(45, 70)
                plan.quiet_from = turn + rng.randint(0, 5)
                plan.survey_at = -rng.randint(5, 20)
                return [(turn, u(0.68, 0.88)), (0, u(0.05, 0.2))]
            case "recovering":
                low = u(0.18, 0.3)
                return [(-150, u(0.68, 0.8)), (-120, low), (-75, low), (0, u(0.66, 0.8))]
        raise ValueError(f"unknown story {plan.story!r}")

    def _acme(self, namer: CompanyNamer) -> _Plan:
        """The tour account: a big customer renewing soon, notice due shortly, usage slipping this month."""
        company = CompanyName(ACME_NAME, "acme.com", ("ACME", "アクメ"))
        namer.reserve(company.name, company.domain)
        renews = self.today + timedelta(days=74)
        plan = _Plan(
            external_id=ACME_ID,
            company=company,
            segment="enterprise",
            region="north_america",
            story="acme",
            arr=480_000,
            seats=1200,
            start=add_years(renews + timedelta(days=1), -3),
            csm=TOUR_CSM.email,
            ae="daniel.brooks@example.com",
            am="michael.reed@example.com",
            knots=[(-30, 0.86), (0, 0.48)],
            quiet_from=-34,
            survey_at=-12,
        )
        return plan

    def _awkward_names(self, namer: CompanyNamer) -> list[_Plan]:
        """Names that must be escaped wherever the bot shows them, or Slack would ping people."""
        hooli = CompanyName(CHANNEL_NAME, "hooli-partners.com", ("Hooli",))
        globex = CompanyName(MENTION_NAME, "globex-sons.com")
        namer.reserve(hooli.name, hooli.domain)
        namer.reserve(globex.name, globex.domain)
        return [
            self._plan("ACC-0002", hooli, "mid_market", "emea", "sliding"),
            self._plan("ACC-0003", globex, "smb", "north_america", "stable"),
        ]

    # --- contracts, movements and the account row -------------------------------------------------

    def _contract(self, plan: _Plan) -> dict[str, str]:
        rng = self.rng
        if plan.churned_on is not None:
            end = plan.churned_on
            start = add_years(end + timedelta(days=1), -1)
            status = CONTRACT_CHURNED
        else:
            # Terms are yearly from the start date: the current one is the last anniversary up to today.
            years = 0
            while add_years(plan.start, years + 1) <= self.today:
                years += 1
            start = add_years(plan.start, years)
            end = add_years(start, 1) - timedelta(days=1)
            status = CONTRACT_ACTIVE
        auto_renew = plan.story == "acme" or rng.random() < _AUTO_RENEW[plan.segment]
        return {
            "contract_id": plan.external_id.replace("ACC", "CTR"),
            "account_id": plan.external_id,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "arr": str(plan.arr),
            "auto_renew": "true" if auto_renew else "false",
            "notice_days": str(_NOTICE_DAYS) if auto_renew else "",
            "status": status,
        }

    def _previous_term(self, plan: _Plan, contract: dict[str, str]) -> list[dict[str, str]]:
        """The term before the current one, renewed, for customers of more than a year: the digest counts
        renewals from these."""
        start = date.fromisoformat(contract["start_date"])
        if add_years(start, -1) < plan.start:
            return []
        return [
            {
                **contract,
                "contract_id": contract["contract_id"] + "-P",
                "start_date": add_years(start, -1).isoformat(),
                "end_date": (start - timedelta(days=1)).isoformat(),
                "status": "renewed",
            }
        ]

    def _movements(self, plan: _Plan) -> list[dict[str, str]]:
        """Revenue movements of the last twelve months, consistent with the account's ARR now."""
        rng, today = self.rng, self.today
        year_ago = today - timedelta(days=364)
        changes: list[tuple[date, str, int]] = []

        def pct(low: float, high: float) -> int:
            return max(100, round(plan.arr * rng.uniform(low, high) / 100) * 100)

        def some_day(first: date, last: date) -> date | None:
            first = max(first, year_ago, plan.start + timedelta(days=30))
            return None if first > last else first + timedelta(days=rng.randint(0, (last - first).days))

        grows = plan.story in ("stable", "improving", "acme")
        if plan.story == "acme":
            changes.append((today - timedelta(days=170), "upsell", 60_000))
        elif grows:
            for kind, chance, low, high in (
                ("upsell", 0.25, 0.1, 0.3),
                ("extension", 0.12 if plan.segment != "smb" else 0.0, 0.15, 0.4),
                ("cross_sell", 0.1, 0.1, 0.25),
            ):
                when = some_day(year_ago, today) if rng.random() < chance else None
                if when:
                    changes.append((when, kind, pct(low, high)))
        shrink_chance = {"middling": 0.15, "sliding": 0.35, "recovering": 0.3, "churned": 0.3}
        if rng.random() < shrink_chance.get(plan.story, 0.0):
            last = plan.churned_on - timedelta(days=20) if plan.churned_on else today
            first = last - timedelta(days=110)
            when = some_day(first, last)
            if when:
                changes.append((when, "downsell", -pct(0.1, 0.25)))
        grown = sum(delta for _, _, delta in changes)
        if year_ago <= plan.start <= today:
            changes.append((plan.start, "new", plan.arr - grown))
        if plan.churned_on is not None:
            changes.append((plan.churned_on, "churn", -plan.arr))
        changes.sort()
        return [
            {"account_id": plan.external_id, "date": day.isoformat(), "kind": kind, "arr_delta": str(delta)}
            for day, kind, delta in changes
        ]

    def _account_row(
        self, plan: _Plan, contract: dict[str, str], movements: list[dict[str, str]]
    ) -> dict[str, str]:
        renews_soon = date.fromisoformat(contract["end_date"]) <= self.today + timedelta(days=90)
        expanded = any(m["kind"] in ("upsell", "extension", "cross_sell") for m in movements)
        if plan.story == "onboarding":
            stage = "onboarding"
        elif plan.churned_on is not None or renews_soon:
            stage = "renewal"
        elif (self.today - plan.start).days < 365:
            stage = "adoption"
        elif plan.story in ("stable", "improving") and (expanded or self.rng.random() < 0.3):
            stage = "expansion"
        else:
            stage = "adoption"
        return {
            "account_id": plan.external_id,
            "name": plan.company.name,
            "domain": plan.company.domain,
            "segment": plan.segment,
            "region": plan.region,
            "arr": "0" if plan.churned_on else str(plan.arr),
            "seats": str(plan.seats),
            "csm_email": plan.csm,
            "ae_email": plan.ae,
            "am_email": plan.am or "",
            "lifecycle_stage": stage,
            "status": "churned" if plan.churned_on else "active",
            "start_date": plan.start.isoformat(),
            "aliases": ";".join(plan.company.aliases),
        }

    # --- value points -----------------------------------------------------------------------------

    def _milestones(self, plan: _Plan, contract: dict[str, str]) -> list[dict[str, str]]:
        rng, today = self.rng, self.today
        if plan.churned_on is None and (today - plan.start).days < 365:
            names, anchor, offsets = _ONBOARDING_POINTS[plan.language], plan.start, (30, 60, 90)
        else:
            # Established customers agree three value points for each contract year.
            names = _YEARLY_POINTS[plan.language]
            anchor, offsets = date.fromisoformat(contract["start_date"]), (60, 150, 270)
        on_time = _ON_TIME[plan.story]
        rows = []
        for name, offset in zip(names, offsets, strict=True):
            due = anchor + timedelta(days=offset)
            achieved: date | None = None
            roll = rng.random()
            if due <= today:
                if roll < on_time:
                    achieved = max(plan.start, due - timedelta(days=rng.randint(0, 20)))
                elif roll < on_time + (1 - on_time) / 2:
                    late = due + timedelta(days=rng.randint(5, 45))
                    achieved = late if late <= today else None
            elif roll < 0.25 and on_time >= 0.8:
                achieved = max(plan.start, today - timedelta(days=rng.randint(0, 20)))
            if plan.churned_on and achieved and achieved > plan.churned_on:
                achieved = None
            rows.append(
                {
                    "account_id": plan.external_id,
                    "name": name,
                    "due_date": due.isoformat(),
                    "achieved_date": achieved.isoformat() if achieved else "",
                }
            )
        return rows

    # --- usage --------------------------------------------------------------------------------------

    def _metrics(self, plan: _Plan) -> list[dict[str, str]]:
        rng, today = self.rng, self.today
        first = max(self.window_start, plan.start)
        last = min(today, plan.churned_on or today)
        if first > last:
            return []
        logins_per_user = rng.uniform(0.6, 2.6)
        ticket_scale = {"enterprise": 18.0, "mid_market": 14.0, "smb": 8.0}[plan.segment]
        wobble_period, wobble_phase = rng.uniform(30, 60), rng.uniform(0, 2 * math.pi)
        touch_days = self._touch_days(plan, first, last)
        survey_days = self._survey_days(plan, first, last)
        tickets: float | None = None
        rows: list[dict[str, str]] = []
        account = plan.external_id

        def emit(day: date, metric: str, value: int) -> None:
            rows.append({"account_id": account, "date": str(day), "metric": metric, "value": str(value)})

        day = first
        while day <= last:
            offset = (day - today).days
            wobble = 0.03 * math.sin(2 * math.pi * offset / wobble_period + wobble_phase)
            health = min(0.98, max(0.02, _curve(plan.knots, offset) + wobble))
            leaving = _curve(plan.leaving, offset)
            presence = (0.08 + 0.9 * health) * (1 - 0.5 * leaving)
            if day.weekday() >= 5:
                presence *= 0.3
            active = min(plan.seats, round(plan.seats * presence * rng.uniform(0.93, 1.07)))
            emit(day, "active_users", active)
            emit(day, "logins", round(active * logins_per_user * rng.uniform(0.85, 1.15)))
            # Open tickets drift towards a level set by health instead of jumping around day to day.
            target = ticket_scale * (1 - health) ** 1.5 + 7 * leaving
            if tickets is None:
                tickets = round(target)
            elif rng.random() < 0.5:
                tickets += 1 if target > tickets + 0.5 else -1 if target < tickets - 0.5 else 0
            if rng.random() < 0.15:
                tickets += rng.choice((-1, 1))
            tickets = max(0, tickets)
            emit(day, "open_tickets", round(tickets))
            if (today - day).days % 7 == 0:
                breadth = 0.3 * health + 0.7 * plan.breadth
                emit(day, "features_used", min(14, max(0, round(1 + 11 * breadth + rng.gauss(0, 0.8)))))
            if day in touch_days:
                emit(day, "touch", 1)
            if day in survey_days:
                nps = round(-75 + 150 * health - 70 * leaving + rng.gauss(0, 8))
                emit(day, "nps", min(100, max(-100, nps)))
            day += timedelta(days=1)
        return rows

    def _touch_days(self, plan: _Plan, first: date, last: date) -> set[date]:
        """Calls and meetings: frequent while things go well, rarer when they don't, none once neglected."""
        rng, today = self.rng, self.today
        slower = (1.4 if plan.segment == "smb" else 1.0) * plan.meeting_pace
        quiet = today + timedelta(days=plan.quiet_from) if plan.quiet_from is not None else None
        days: set[date] = set()
        day = first + timedelta(days=rng.randint(0, 10))
        while day <= last and (quiet is None or day < quiet):
            days.add(day)
            health = _curve(plan.knots, (day - today).days)
            low, high = (6, 18) if health >= 0.7 else (14, 40) if health >= 0.45 else (35, 80)
            day += timedelta(days=round(rng.randint(low, high) * slower))
        if plan.story == "acme" and quiet is not None:
            days = {d for d in days if d < quiet - timedelta(days=1)} | {quiet - timedelta(days=1)}
        return days

    def _survey_days(self, plan: _Plan, first: date, last: date) -> set[date]:
        """NPS surveys roughly once a quarter, plus a fresh one for accounts whose decline it should show."""
        rng, today = self.rng, self.today
        days: set[date] = set()
        day = first + timedelta(days=rng.randint(20, 90))
        while day <= last:
            days.add(day)
            day += timedelta(days=rng.randint(80, 100))
        if plan.survey_at is not None:
            extra = today + timedelta(days=plan.survey_at)
            if first <= extra <= last:
                days = {d for d in days if abs((extra - d).days) > 25} | {extra}
        return days


def account_size(rng: random.Random, segment: str) -> tuple[int, int]:
    """ARR and seats typical of a segment."""
    if segment == "smb":
        return rng.randint(10, 80) * 500, rng.randint(5, 60)
    if segment == "mid_market":
        return rng.randint(40, 150) * 1000, rng.randint(50, 400)
    # Enterprise deals are spread log-uniformly: many near the bottom of the range, a few huge ones.
    arr = math.exp(rng.uniform(math.log(150_000), math.log(900_000)))
    return round(arr / 10_000) * 10_000, rng.randint(6, 60) * 50


def _curve(knots: list[tuple[int, float]], offset: int) -> float:
    """Piecewise-linear through the knots, flat before the first and after the last."""
    if offset <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in pairwise(knots):
        if offset <= x1:
            return y0 + (y1 - y0) * (offset - x0) / (x1 - x0)
    return knots[-1][1]


def generate(*, today: date, seed: int, accounts: int, history_days: int) -> DemoData:
    return DemoGenerator(today=today, seed=seed, accounts=accounts, history_days=history_days).generate()
