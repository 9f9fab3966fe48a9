"""A combined screening records when its patient asked the clinic for a care plan.

Only such screenings and those booked with enter the admins' care-plan queue.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('screenings') as batch_op:
        batch_op.add_column(sa.Column('plan_asked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('screenings') as batch_op:
        batch_op.drop_column('plan_asked_at')
