"""The front desk marks a booked visit's patient arrived: appointments.checked_in_at (UTC, nullable).

A plain ADD COLUMN on both databases: SQLite's batch mode would copy the table and drop its no-overlap triggers.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('appointments', sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('appointments', 'checked_in_at')
