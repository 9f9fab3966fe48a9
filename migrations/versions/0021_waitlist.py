"""The waitlist: its entries, the times that open and the offers made of them; its two settings.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('pair_service_id', sa.Integer(), nullable=True),
    sa.Column('therapist_id', sa.Integer(), nullable=True),
    sa.Column('care_plan_id', sa.Integer(), nullable=True),
    sa.Column('days', sa.JSON(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('joined_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'booked', 'left', 'removed', 'expired')", name=op.f('ck_waitlist_entries_status')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_waitlist_entries_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_waitlist_entries_care_plan_id_care_plans')),
    sa.ForeignKeyConstraint(['joined_by_id'], ['staff_users.id'], name=op.f('fk_waitlist_entries_joined_by_id_staff_users')),
    sa.ForeignKeyConstraint(['pair_service_id'], ['services.id'], name=op.f('fk_waitlist_entries_pair_service_id_services')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_waitlist_entries_patient_id_patients')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_waitlist_entries_screening_id_screenings')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_waitlist_entries_service_id_services')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_waitlist_entries_therapist_id_therapists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')),
    sa.UniqueConstraint('link_id', name=op.f('uq_waitlist_entries_link_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_waitlist_entries_token_hash'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entries_care_plan_id'), ['care_plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_waitlist_entries_status_service_id', ['status', 'service_id'], unique=False)

    op.create_table('waitlist_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cause', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('relayed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('filled_entry_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("cause IN ('cancellation', 'move', 'hours', 'time_off', 'by_hand')", name=op.f('ck_waitlist_openings_cause')),
    sa.CheckConstraint("status IN ('open', 'filled', 'taken', 'unfilled')", name=op.f('ck_waitlist_openings_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_waitlist_openings_ends_after_start')),
    sa.ForeignKeyConstraint(['filled_entry_id'], ['waitlist_entries.id'], name=op.f('fk_waitlist_openings_filled_entry_id_waitlist_entries')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['staff_users.id'], name=op.f('fk_waitlist_openings_opened_by_id_staff_users')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_waitlist_openings_therapist_id_therapists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_openings')),
    sa.UniqueConstraint('key', name=op.f('uq_waitlist_openings_key'))
    )
    with op.batch_alter_table('waitlist_openings', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_openings_status_created_at', ['status', 'created_at'], unique=False)

    op.create_table('waitlist_offers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('pair_therapist_id', sa.Integer(), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_id', sa.Uuid(), nullable=True),
    sa.Column('offered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('offered', 'claimed', 'expired', 'taken', 'withdrawn')", name=op.f('ck_waitlist_offers_status')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_waitlist_offers_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['entry_id'], ['waitlist_entries.id'], name=op.f('fk_waitlist_offers_entry_id_waitlist_entries')),
    sa.ForeignKeyConstraint(['offered_by_id'], ['staff_users.id'], name=op.f('fk_waitlist_offers_offered_by_id_staff_users')),
    sa.ForeignKeyConstraint(['opening_id'], ['waitlist_openings.id'], name=op.f('fk_waitlist_offers_opening_id_waitlist_openings')),
    sa.ForeignKeyConstraint(['pair_therapist_id'], ['therapists.id'], name=op.f('fk_waitlist_offers_pair_therapist_id_therapists')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_waitlist_offers_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_offers')),
    sa.UniqueConstraint('opening_id', 'entry_id', name=op.f('uq_waitlist_offers_opening_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_waitlist_offers_token_hash'))
    )
    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_offers_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_offers_opening_id'), ['opening_id'], unique=False)
        batch_op.create_index('ix_waitlist_offers_status_expires_at', ['status', 'expires_at'], unique=False)

    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.add_column('clinic_settings', sa.Column('waitlist_offers_at_once', sa.Integer(), server_default='1',
                                               nullable=False))
    op.add_column('clinic_settings', sa.Column('waitlist_claim_minutes', sa.Integer(), server_default='30',
                                               nullable=False))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_entry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('waitlist_offer_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_waitlist_entry_id_waitlist_entries'), 'waitlist_entries', ['waitlist_entry_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_notifications_waitlist_offer_id_waitlist_offers'), 'waitlist_offers', ['waitlist_offer_id'], ['id'])



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_waitlist_offer_id_waitlist_offers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notifications_waitlist_entry_id_waitlist_entries'), type_='foreignkey')
        batch_op.drop_column('waitlist_offer_id')
        batch_op.drop_column('waitlist_entry_id')

    # Not a batch: SQLite would copy the table and lose its reference_version triggers (0017).
    op.execute("ALTER TABLE clinic_settings DROP COLUMN waitlist_claim_minutes")
    op.execute("ALTER TABLE clinic_settings DROP COLUMN waitlist_offers_at_once")

    with op.batch_alter_table('waitlist_offers', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_offers_status_expires_at')
        batch_op.drop_index(batch_op.f('ix_waitlist_offers_opening_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_offers_entry_id'))

    op.drop_table('waitlist_offers')
    with op.batch_alter_table('waitlist_openings', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_openings_status_created_at')

    op.drop_table('waitlist_openings')
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_entries_status_service_id')
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_patient_id'))
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_care_plan_id'))

    op.drop_table('waitlist_entries')
