"""A partial covering index for slot searches: the visits that hold a therapist's time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

HOLDING_TIME = sa.text("status <> 'cancelled'")


def upgrade():
    op.create_index("ix_appointments_holding_time", "appointments", ["therapist_id", "starts_at"],
                    postgresql_include=["blocked_until", "id"], postgresql_where=HOLDING_TIME,
                    sqlite_where=HOLDING_TIME)


def downgrade():
    op.drop_index("ix_appointments_holding_time", table_name="appointments")
