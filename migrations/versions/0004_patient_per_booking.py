"""An email address no longer identifies a patient; an Idempotency-Key remembers its request.

The email's uniqueness is dropped (an index stays), and appointments keep a digest of the
request that used their Idempotency-Key, so that only the identical request is replayed.

A booking's contact details belong to that booking (see booking/services/visits/patients.py),
so two patient rows may share an email address.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("patients") as batch:
        batch.drop_constraint("uq_patients_email", type_="unique")
        batch.create_index("ix_patients_email", ["email"])
    op.add_column("appointments", sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("appointments", "idempotency_fingerprint")
    with op.batch_alter_table("patients") as batch:
        batch.drop_index("ix_patients_email")
        batch.create_unique_constraint("uq_patients_email", ["email"])
