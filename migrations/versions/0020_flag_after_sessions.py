"""The number of sessions after which a care plan without a meaningful change is flagged (four by default).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.add_column('clinic_settings', sa.Column('flag_after_sessions', sa.Integer(), server_default='4',
                                               nullable=False))


def downgrade():
    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.execute("ALTER TABLE clinic_settings DROP COLUMN flag_after_sessions")
