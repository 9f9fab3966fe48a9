"""Outcomes therapists record at a session: pain now (0 to 10) and a one-line function note.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Uuid(), nullable=False),
    sa.Column('pain', sa.Integer(), nullable=False),
    sa.Column('function_note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pain BETWEEN 0 AND 10', name=op.f('ck_visit_outcomes_pain')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_visit_outcomes_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], name=op.f('fk_visit_outcomes_recorded_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_outcomes')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_visit_outcomes_appointment_id'))
    )


def downgrade():
    op.drop_table('visit_outcomes')
