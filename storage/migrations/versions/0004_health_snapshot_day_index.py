"""health snapshots indexed by day

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 23:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_health_snapshot_day", "health_snapshot", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_health_snapshot_day", table_name="health_snapshot")
