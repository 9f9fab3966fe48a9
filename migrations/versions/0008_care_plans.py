"""Combined-care plans and the dismissals of the "needs a care plan" queue.

appointments.care_plan_id stays a plain integer column: on SQLite a foreign key
can only be added by copying the table, which would drop the no-overlap
triggers that live on it; the care-plan service sets it only to a stored plan.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('screening_id', sa.Uuid(), nullable=False),
    sa.Column('physiotherapist_id', sa.Integer(), nullable=False),
    sa.Column('massage_therapist_id', sa.Integer(), nullable=False),
    sa.Column('physio_service_id', sa.Integer(), nullable=False),
    sa.Column('massage_service_id', sa.Integer(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('physio_sessions', sa.Integer(), nullable=False),
    sa.Column('physio_cadence_days', sa.Integer(), nullable=False),
    sa.Column('massage_sessions', sa.Integer(), nullable=False),
    sa.Column('massage_cadence_days', sa.Integer(), nullable=False),
    sa.Column('tolerance_days', sa.Integer(), nullable=False),
    sa.Column('back_to_back', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'paused', 'completed', 'cancelled')", name=op.f('ck_care_plans_status')),
    sa.CheckConstraint('physio_sessions >= 0 AND massage_sessions >= 0', name=op.f('ck_care_plans_sessions')),
    sa.CheckConstraint('physio_cadence_days >= 1 AND massage_cadence_days >= 1', name=op.f('ck_care_plans_cadences')),
    sa.CheckConstraint('tolerance_days >= 0', name=op.f('ck_care_plans_tolerance')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_care_plans_created_by_id_staff_users')),
    sa.ForeignKeyConstraint(['massage_therapist_id'], ['therapists.id'], name=op.f('fk_care_plans_massage_therapist_id_therapists')),
    sa.ForeignKeyConstraint(['massage_service_id'], ['services.id'], name=op.f('fk_care_plans_massage_service_id_services')),
    sa.ForeignKeyConstraint(['physio_service_id'], ['services.id'], name=op.f('fk_care_plans_physio_service_id_services')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_care_plans_patient_id_patients')),
    sa.ForeignKeyConstraint(['physiotherapist_id'], ['therapists.id'], name=op.f('fk_care_plans_physiotherapist_id_therapists')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_care_plans_screening_id_screenings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plans')),
    sa.UniqueConstraint('screening_id', name=op.f('uq_care_plans_screening_id'))
    )
    op.create_index(op.f('ix_care_plans_patient_id'), 'care_plans', ['patient_id'], unique=False)
    op.create_table('care_plan_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['staff_users.id'], name=op.f('fk_care_plan_dismissals_dismissed_by_id_staff_users')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_care_plan_dismissals_screening_id_screenings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plan_dismissals')),
    sa.UniqueConstraint('screening_id', name=op.f('uq_care_plan_dismissals_screening_id'))
    )


def downgrade():
    op.drop_table('care_plan_dismissals')
    op.drop_index(op.f('ix_care_plans_patient_id'), table_name='care_plans')
    op.drop_table('care_plans')
