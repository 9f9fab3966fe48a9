"""Scheduling and booking: services, therapists, hours, time off, patients, appointments.

No double booking is guaranteed by the database: on PostgreSQL an exclusion
constraint over therapist and time range (btree_gist); on SQLite triggers that
refuse an overlapping row (SQLite has one writer at a time, so the check and
the write cannot interleave).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

THERAPY_TYPE = "therapy_type IN ('physiotherapy', 'massage')"

SQLITE_OVERLAP = """
CREATE TRIGGER appointments_no_overlap_{event} BEFORE {event_sql} ON appointments
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM appointments AS other
    WHERE other.therapist_id = NEW.therapist_id
      AND other.id <> NEW.id
      AND other.status <> 'cancelled'
      AND other.starts_at < NEW.blocked_until
      AND NEW.starts_at < other.blocked_until)
BEGIN
    SELECT RAISE(ABORT, 'appointments_no_overlap: the therapist already has a visit at that time');
END
"""
SQLITE_EVENTS = {"insert": "INSERT", "update": "UPDATE OF therapist_id, starts_at, blocked_until, status"}


def upgrade():
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("email", name=op.f("uq_patients_email")),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("therapy_type", sa.String(length=16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(THERAPY_TYPE, name=op.f("ck_services_therapy_type")),
        sa.CheckConstraint("buffer_minutes >= 0", name=op.f("ck_services_buffer_not_negative")),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_services_duration_positive")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_services_price_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("code", name=op.f("uq_services_code")),
    )
    op.create_table(
        "therapists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("therapy_type", sa.String(length=16), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(THERAPY_TYPE, name=op.f("ck_therapists_therapy_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapists")),
    )
    op.create_index(op.f("ix_therapists_therapy_type"), "therapists", ["therapy_type"])
    op.create_table(
        "working_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_working_hours_ends_after_start")),
        sa.CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                           name=op.f("ck_working_hours_valid_range")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_working_hours_weekday")),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapists.id"],
                                name=op.f("fk_working_hours_therapist_id_therapists"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_hours")),
    )
    op.create_index(op.f("ix_working_hours_therapist_id"), "working_hours", ["therapist_id"])
    op.create_table(
        "time_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_time_off_ends_after_start")),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapists.id"],
                                name=op.f("fk_time_off_therapist_id_therapists"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_off")),
    )
    op.create_index(op.f("ix_time_off_therapist_id"), "time_off", ["therapist_id"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Uuid(), nullable=False),
        sa.Column("care_plan_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("manage_token_hash", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("status IN ('booked', 'cancelled', 'completed', 'no_show')",
                           name=op.f("ck_appointments_status")),
        sa.CheckConstraint("blocked_until >= ends_at", name=op.f("ck_appointments_blocked_after_end")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_ends_after_start")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")),
        sa.ForeignKeyConstraint(["screening_id"], ["screenings.id"],
                                name=op.f("fk_appointments_screening_id_screenings")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapists.id"],
                                name=op.f("fk_appointments_therapist_id_therapists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_appointments_idempotency_key")),
        sa.UniqueConstraint("manage_token_hash", name=op.f("uq_appointments_manage_token_hash")),
    )
    op.create_index(op.f("ix_appointments_patient_id"), "appointments", ["patient_id"])
    op.create_index(op.f("ix_appointments_screening_id"), "appointments", ["screening_id"])
    op.create_index("ix_appointments_therapist_id_starts_at", "appointments", ["therapist_id", "starts_at"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT appointments_no_overlap "
            "EXCLUDE USING gist (therapist_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )
    elif op.get_bind().dialect.name == "sqlite":
        for event, event_sql in SQLITE_EVENTS.items():
            op.execute(SQLITE_OVERLAP.format(event=event, event_sql=event_sql))


def downgrade():
    # btree_gist stays installed: other schemas of the same database may use it.
    op.drop_table("appointments")
    op.drop_table("time_off")
    op.drop_table("working_hours")
    op.drop_table("therapists")
    op.drop_table("services")
    op.drop_table("patients")
