"""source cursors: how far each CRM source has read each object

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 22:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("stream", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("modified_after", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "stream", name="uq_source_cursor"),
    )


def downgrade() -> None:
    op.drop_table("source_cursor")
