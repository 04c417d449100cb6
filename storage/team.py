"""Queries about team members (the people csbot serves and routes work to)."""

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from storage.models import TeamMember


def member_by_slack_id(engine: Engine, slack_user_id: str) -> TeamMember | None:
    with Session(engine) as session:
        member = session.exec(select(TeamMember).where(TeamMember.slack_user_id == slack_user_id)).first()
        if member:
            session.expunge(member)
        return member


def member_by_email(engine: Engine, email: str) -> TeamMember | None:
    with Session(engine) as session:
        member = session.exec(select(TeamMember).where(TeamMember.email == email.strip().lower())).first()
        if member:
            session.expunge(member)
        return member


def link_slack_user(engine: Engine, member_id: int, slack_user_id: str) -> None:
    """Remember the Slack id found through the member's email, so the next lookup is one query."""
    with engine.begin() as connection:
        connection.execute(
            update(TeamMember)
            .where(TeamMember.id == member_id, TeamMember.slack_user_id.is_(None))  # type: ignore[union-attr]
            .values(slack_user_id=slack_user_id)
        )
