"""The notification outbox; a visit's sequence (its calendar SEQUENCE); therapists' email.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("appointments", sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("therapists", sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("therapist_id", sa.Integer(), nullable=True),
        sa.Column("contact_message_id", sa.Integer(), nullable=True),
        sa.Column("care_plan_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("relayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')",
                           name=op.f("ck_notifications_status")),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_notifications_appointment_id_appointments")),
        sa.ForeignKeyConstraint(["contact_message_id"], ["contact_messages.id"],
                                name=op.f("fk_notifications_contact_message_id_contact_messages")),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapists.id"],
                                name=op.f("fk_notifications_therapist_id_therapists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    op.create_index(op.f("ix_notifications_appointment_id"), "notifications", ["appointment_id"])
    op.create_index("ix_notifications_status_due_at", "notifications", ["status", "due_at"])


def downgrade():
    op.drop_index("ix_notifications_status_due_at", table_name="notifications")
    op.drop_index(op.f("ix_notifications_appointment_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_column("therapists", "email")
    op.drop_column("appointments", "sequence")
