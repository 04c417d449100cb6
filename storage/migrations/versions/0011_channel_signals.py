"""channel signals: customer channels linked to accounts, and when messages were posted in them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_link",
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("linked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_index(op.f("ix_channel_link_account_id"), "channel_link", ["account_id"], unique=False)
    op.create_table(
        "channel_message",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("posted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("from_customer", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "ts", name="uq_channel_message"),
    )
    op.create_index(
        "ix_channel_message_account_posted", "channel_message", ["account_id", "posted_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_channel_message_account_posted", table_name="channel_message")
    op.drop_table("channel_message")
    op.drop_index(op.f("ix_channel_link_account_id"), table_name="channel_link")
    op.drop_table("channel_link")
