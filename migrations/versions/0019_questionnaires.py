"""Questionnaires before visits and the measurements their answers make; the clinic's time to send them.

Numbered 0019 after appointments.checked_in_at (0018, on another branch); revises 0017 until the two meet.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.add_column('clinic_settings', sa.Column('questionnaire_time', sa.String(length=5), server_default='18:00',
                                               nullable=False))
    op.create_table('questionnaires',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('appointment_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_questionnaires_appointment_id_appointments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('appointment_id', name=op.f('uq_questionnaires_appointment_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_questionnaires_token_hash'))
    )
    op.create_table('measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('care_plan_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('activities', sa.JSON(), nullable=False),
    sa.Column('answered_in', sa.String(length=16), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_measurements_number_positive')),
    sa.CheckConstraint("answered_in IN ('home', 'waiting_room')", name=op.f('ck_measurements_answered_in')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_measurements_questionnaire_id_questionnaires')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_measurements_patient_id_patients')),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_measurements_care_plan_id_care_plans')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], name=op.f('fk_measurements_recorded_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurements')),
    sa.UniqueConstraint('questionnaire_id', name=op.f('uq_measurements_questionnaire_id'))
    )
    op.create_index(op.f('ix_measurements_patient_id'), 'measurements', ['patient_id'], unique=False)
    op.create_index(op.f('ix_measurements_care_plan_id'), 'measurements', ['care_plan_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_measurements_care_plan_id'), table_name='measurements')
    op.drop_index(op.f('ix_measurements_patient_id'), table_name='measurements')
    op.drop_table('measurements')
    op.drop_table('questionnaires')
    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.execute("ALTER TABLE clinic_settings DROP COLUMN questionnaire_time")
