"""The clinic can close for a day (a holiday): clinic_closures, one row per closed local date.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clinic_closures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_closures')),
        sa.UniqueConstraint('day', name='uq_clinic_closures_day'),
    )


def downgrade():
    op.drop_table('clinic_closures')
