"""A patient's answer "not under 18" and its date: the adults' retention rule applies without a birth date.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adult_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_column('adult_on')
