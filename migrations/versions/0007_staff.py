"""Staff accounts, sessions, second factors and resets; the audit log; visit notes; clinic settings.

Also: contact messages marked handled, a reset's notification, and a therapist's
calendar-feed version. The audit log cannot be edited:
a trigger refuses UPDATE and DELETE on PostgreSQL, UPDATE on SQLite.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

POSTGRESQL_GUARD = """
CREATE FUNCTION audit_events_never_edited() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is never edited';
END $$
"""
SQLITE_GUARD = """
CREATE TRIGGER audit_events_never_edited BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is never edited');
END
"""


def upgrade():
    op.create_table('clinic_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('opening_hours', sa.JSON(), nullable=False),
    sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('min_notice_minutes', sa.Integer(), nullable=False),
    sa.Column('reminder_offsets_minutes', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_clinic_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_settings'))
    )
    op.create_table('login_throttles',
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email_hash', name=op.f('pk_login_throttles'))
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role = 'admin' OR therapist_id IS NOT NULL", name=op.f('ck_staff_users_therapist_linked')),
    sa.CheckConstraint("role IN ('admin', 'therapist')", name=op.f('ck_staff_users_role')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapists.id'], name=op.f('fk_staff_users_therapist_id_therapists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email')),
    sa.UniqueConstraint('therapist_id', name=op.f('uq_staff_users_therapist_id'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_users.id'], name=op.f('fk_audit_events_actor_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_events_at', ['at'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_password_resets_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_recovery_codes_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pending_totp_secret', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('visit_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_visit_notes_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['author_id'], ['staff_users.id'], name=op.f('fk_visit_notes_author_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_notes'))
    )
    with op.batch_alter_table('visit_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_notes_appointment_id'), ['appointment_id'], unique=False)
    with op.batch_alter_table("contact_messages") as batch:  # SQLite adds a foreign key by a copy
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_contact_messages_handled_by_id_staff_users", "staff_users",
                                 ["handled_by_id"], ["id"])
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("password_reset_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key("fk_notifications_password_reset_id_password_resets", "password_resets",
                                 ["password_reset_id"], ["id"])
    op.add_column("therapists", sa.Column("feed_version", sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_GUARD)
        op.execute("CREATE TRIGGER audit_events_never_edited BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_never_edited()")
    else:
        op.execute(SQLITE_GUARD)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_never_edited ON audit_events")
        op.execute("DROP FUNCTION audit_events_never_edited()")
    else:
        op.execute("DROP TRIGGER audit_events_never_edited")
    op.drop_column("therapists", "feed_version")
    with op.batch_alter_table("notifications") as batch:  # SQLite drops a column with a foreign key by a copy
        batch.drop_constraint("fk_notifications_password_reset_id_password_resets", type_="foreignkey")
        batch.drop_column("password_reset_id")
    with op.batch_alter_table("contact_messages") as batch:
        batch.drop_constraint("fk_contact_messages_handled_by_id_staff_users", type_="foreignkey")
        batch.drop_column("handled_by_id")
        batch.drop_column("handled_at")
    op.drop_index("ix_visit_notes_appointment_id", table_name="visit_notes")
    op.drop_table("visit_notes")
    op.drop_index("ix_staff_sessions_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_index("ix_recovery_codes_user_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_index("ix_password_resets_user_id", table_name="password_resets")
    op.drop_table("password_resets")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_index("ix_audit_events_actor_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("staff_users")
    op.drop_table("login_throttles")
    op.drop_table("clinic_settings")
