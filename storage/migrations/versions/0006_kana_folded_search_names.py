"""search names fold katakana into hiragana; account ids are looked up regardless of case

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.names import normalise_name

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACCOUNTS = sa.table("account", sa.column("id"), sa.column("name"), sa.column("search_name"))
_ALIASES = sa.table(
    "account_alias", sa.column("id"), sa.column("account_id"), sa.column("alias"), sa.column("search_alias")
)


def upgrade() -> None:
    connection = op.get_bind()
    accounts = connection.execute(sa.select(_ACCOUNTS.c.id, _ACCOUNTS.c.name, _ACCOUNTS.c.search_name)).all()
    changed = [{"key": i, "value": normalise_name(n)} for i, n, old in accounts if normalise_name(n) != old]
    if changed:
        connection.execute(
            _ACCOUNTS.update()
            .where(_ACCOUNTS.c.id == sa.bindparam("key"))
            .values(search_name=sa.bindparam("value")),
            changed,
        )
    # Two aliases of one account that now fold to the same form ("さくら", "サクラ") are one alias.
    seen: set[tuple[int, str]] = set()
    duplicates, renamed = [], []
    for alias_id, account_id, alias, old in connection.execute(
        sa.select(_ALIASES.c.id, _ALIASES.c.account_id, _ALIASES.c.alias, _ALIASES.c.search_alias).order_by(
            _ALIASES.c.id
        )
    ):
        folded = normalise_name(alias)
        if (account_id, folded) in seen:
            duplicates.append(alias_id)
            continue
        seen.add((account_id, folded))
        if folded != old:
            renamed.append({"key": alias_id, "value": folded})
    if duplicates:
        connection.execute(_ALIASES.delete().where(_ALIASES.c.id.in_(duplicates)))
    if renamed:
        connection.execute(
            _ALIASES.update()
            .where(_ALIASES.c.id == sa.bindparam("key"))
            .values(search_alias=sa.bindparam("value")),
            renamed,
        )
    op.create_index("ix_account_external_id_lower", "account", [sa.text("lower(external_id)")])


def downgrade() -> None:
    op.drop_index("ix_account_external_id_lower", table_name="account")
