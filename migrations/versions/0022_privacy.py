"""Privacy and records: access and correction requests, corrections, consent to messages, a patient's birth
date, legal hold and stopped reminders, and the clinic's retention settings.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('identified_by', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['staff_users.id'], name=op.f('fk_access_requests_answered_by_id_staff_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_access_requests_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], name=op.f('fk_access_requests_recorded_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_requests'))
    )
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_requests_patient_id'), ['patient_id'], unique=False)

    op.create_table('correction_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('asked', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.CheckConstraint("decision IN ('corrected', 'refused')", name=op.f('ck_correction_requests_decision')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_users.id'], name=op.f('fk_correction_requests_decided_by_id_staff_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_correction_requests_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], name=op.f('fk_correction_requests_recorded_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_requests'))
    )
    with op.batch_alter_table('correction_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_requests_patient_id'), ['patient_id'], unique=False)

    op.create_table('message_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_message_consents_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_users.id'], name=op.f('fk_message_consents_recorded_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_consents'))
    )
    with op.batch_alter_table('message_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_consents_patient_id'), ['patient_id'], unique=False)

    op.create_table('corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('corrected_by_id', sa.Integer(), nullable=False),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['staff_users.id'], name=op.f('fk_corrections_corrected_by_id_staff_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_corrections_patient_id_patients')),
    sa.ForeignKeyConstraint(['request_id'], ['correction_requests.id'], name=op.f('fk_corrections_request_id_correction_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections'))
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_corrections_request_id'), ['request_id'], unique=False)

    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.add_column('clinic_settings', sa.Column('request_days', sa.Integer(), server_default='30', nullable=False))
    op.add_column('clinic_settings', sa.Column('retention_years', sa.Integer(), server_default='10', nullable=False))
    op.add_column('clinic_settings', sa.Column('unbooked_screening_days', sa.Integer(), server_default='90', nullable=False))
    op.add_column('clinic_settings', sa.Column('contact_message_days', sa.Integer(), server_default='365', nullable=False))
    op.add_column('clinic_settings', sa.Column('link_days_after_visit', sa.Integer(), server_default='30', nullable=False))

    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminders_stopped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_patients_legal_hold_by_id_staff_users'), 'staff_users', ['legal_hold_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_patients_legal_hold_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('reminders_stopped_at')
        batch_op.drop_column('legal_hold_by_id')
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('birth_date')

    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.execute("ALTER TABLE clinic_settings DROP COLUMN link_days_after_visit")
    op.execute("ALTER TABLE clinic_settings DROP COLUMN contact_message_days")
    op.execute("ALTER TABLE clinic_settings DROP COLUMN unbooked_screening_days")
    op.execute("ALTER TABLE clinic_settings DROP COLUMN retention_years")
    op.execute("ALTER TABLE clinic_settings DROP COLUMN request_days")

    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_request_id'))
        batch_op.drop_index(batch_op.f('ix_corrections_patient_id'))

    op.drop_table('corrections')
    with op.batch_alter_table('message_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_consents_patient_id'))

    op.drop_table('message_consents')
    with op.batch_alter_table('correction_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correction_requests_patient_id'))

    op.drop_table('correction_requests')
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_requests_patient_id'))

    op.drop_table('access_requests')
