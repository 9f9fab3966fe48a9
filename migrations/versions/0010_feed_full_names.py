"""A therapist may choose patients' full names in their calendar feed (initials stay the default).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('therapists') as batch_op:
        batch_op.add_column(sa.Column('feed_full_names', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('therapists') as batch_op:
        batch_op.drop_column('feed_full_names')
