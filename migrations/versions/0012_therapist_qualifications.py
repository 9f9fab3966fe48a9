"""Therapists' qualifications (prenatal massage, and any added later), kept by admins.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('therapist_qualifications',
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_therapist_qualifications_therapist_id_therapists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('therapist_id', 'code', name=op.f('pk_therapist_qualifications'))
    )


def downgrade():
    op.drop_table('therapist_qualifications')
