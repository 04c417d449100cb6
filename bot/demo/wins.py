"""Customer wins for the demo: last month's expansions told as the CSMs behind them would tell them."""

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.i18n import translator
from domain.digest.month import Month
from storage.models import Account, RevenueMovement, TeamMember
from storage.wins import record_win

MAX_WINS = 6

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


def record_demo_wins(engine: Engine, *, today: date, currency: str) -> int:
    """Record a handful of last month's expansions as wins credited to each account's CSM."""
    month = Month.containing(today).previous()
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
    recorded = 0
    for movement, account, csm in rows:
        english, japanese = _STORIES[movement.kind]
        language = "ja" if (csm.locale or "").startswith("ja") else "en"
        story, impact = japanese if language == "ja" else english
        amount = translator(language).money(movement.arr_delta, currency)
        win = record_win(
            engine,
            account_id=account.id,  # type: ignore[arg-type]
            story=story,
            impact=impact.format(amount=amount),
            author_slack_user_id=csm.slack_user_id,  # type: ignore[arg-type]
            recorded_by_slack_user_id=csm.slack_user_id,  # type: ignore[arg-type]
            won_on=movement.moved_on,
            created_at=datetime.combine(movement.moved_on, time(12, 0), tzinfo=UTC),
            source="command",
        )
        recorded += win is not None
    return recorded
