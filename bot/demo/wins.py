"""Customer wins for the demo: last month's expansions told as the CSMs behind them would tell them."""

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.i18n import translator
from domain.digest.month import Month
from storage.models import Account, Milestone, RevenueMovement, TeamMember
from storage.wins import record_win

MAX_WINS = 6
DEMO_SOURCE = "demo"

# (English, Japanese) story and impact per kind of expansion; {amount} is the ARR it added.
_STORIES = {
    "upsell": (
        (
            "At the quarterly review we showed they had outgrown their plan; they moved up a tier.",
            "ARR +{amount}",
        ),
        ("四半期レビューで利用状況を一緒に振り返り、上位プランへの移行が決まりました。", "ARR +{amount}"),
    ),
    "extension": (
        (
            "The pilot team presented its results internally and a second department signed on.",
            "ARR +{amount}, a second department live",
        ),
        (
            "先行導入チームの成果を社内で発表してもらい、別部署への展開が決まりました。",
            "ARR +{amount}、2部署目が稼働",
        ),
    ),
    "cross_sell": (
        (
            "Their ops lead saw the analytics module in our success plan and asked for it the same week.",
            "ARR +{amount}",
        ),
        (
            "サクセスプランで分析オプションを紹介したところ、運用責任者からその週のうちに導入の依頼がありました。",
            "ARR +{amount}",
        ),
    ),
}


_VALUE_POINT_STORY = (
    "Reached the value point “{point}” with the customer on the day we had agreed.",
    "お客様と合意したバリューポイント「{point}」を、約束した日までに達成しました。",
)


def _is_japanese(member: TeamMember) -> bool:
    return (member.locale or "").startswith("ja")


def record_demo_wins(engine: Engine, *, today: date, currency: str) -> int:
    """Record a handful of last month's wins, each credited to the account's CSM: its expansions first,
    then value points reached on time, so that even a small demo has some."""
    month = Month.containing(today).previous()
    recorded = 0
    for account, csm, story, impact, day, origin in [
        *_expansion_wins(engine, month, currency),
        *_value_point_wins(engine, month),
    ][:MAX_WINS]:
        # Keyed by the movement or value point it tells of, as a shared message is keyed by its
        # channel and ts: building the demo again over the same database adds no second copy.
        win = record_win(
            engine,
            account_id=account.id,  # type: ignore[arg-type]
            story=story,
            impact=impact,
            author_slack_user_id=csm.slack_user_id,  # type: ignore[arg-type]
            recorded_by_slack_user_id=csm.slack_user_id,  # type: ignore[arg-type]
            won_on=day,
            created_at=datetime.combine(day, time(12, 0), tzinfo=UTC),
            source="demo",
            source_channel=DEMO_SOURCE,
            source_ts=origin,
        )
        recorded += win is not None
    return recorded


# (account, credited CSM, story, impact, day, what it tells of: "movement:<id>" or "milestone:<id>")
_Win = tuple[Account, TeamMember, str, str | None, date, str]


def _expansion_wins(engine: Engine, month: Month, currency: str) -> list[_Win]:
    with Session(engine) as session:
        rows = session.exec(
            select(RevenueMovement, Account, TeamMember)
            .join(Account, col(Account.id) == RevenueMovement.account_id)
            .join(TeamMember, col(TeamMember.email) == Account.csm_email)
            .where(
                col(RevenueMovement.kind).in_(_STORIES),
                RevenueMovement.moved_on >= month.first,
                RevenueMovement.moved_on <= month.last,
                col(TeamMember.slack_user_id).is_not(None),
            )
            .order_by(col(RevenueMovement.arr_delta).desc(), col(RevenueMovement.id))
            .limit(MAX_WINS)
        ).all()
    wins: list[_Win] = []
    for movement, account, csm in rows:
        english, japanese = _STORIES[movement.kind]
        story, impact = japanese if _is_japanese(csm) else english
        amount = translator("ja" if _is_japanese(csm) else "en").money(movement.arr_delta, currency)
        impact_text = impact.format(amount=amount)
        wins.append((account, csm, story, impact_text, movement.moved_on, f"movement:{movement.id}"))
    return wins


def _value_point_wins(engine: Engine, month: Month) -> list[_Win]:
    with Session(engine) as session:
        rows = session.exec(
            select(Milestone, Account, TeamMember)
            .join(Account, col(Account.id) == Milestone.account_id)
            .join(TeamMember, col(TeamMember.email) == Account.csm_email)
            .where(
                col(Milestone.achieved_date).is_not(None),
                col(Milestone.achieved_date) >= month.first,
                col(Milestone.achieved_date) <= month.last,
                col(Milestone.achieved_date) <= col(Milestone.due_date),
                col(TeamMember.slack_user_id).is_not(None),
            )
            .order_by(col(Milestone.achieved_date), col(Milestone.id))
            .limit(MAX_WINS)
        ).all()
    english, japanese = _VALUE_POINT_STORY
    return [
        (
            account,
            csm,
            (japanese if _is_japanese(csm) else english).format(point=point.name),
            None,
            point.achieved_date,
            f"milestone:{point.id}",
        )
        for point, account, csm in rows
        if point.achieved_date is not None
    ]
