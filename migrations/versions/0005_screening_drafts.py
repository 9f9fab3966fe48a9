"""Screenings in progress are kept on the server, not in the session cookie.

A draft is reached through a random token in the patient's session; only the token's
SHA-256 is stored. Drafts expire (see booking/services/screenings.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "screening_drafts",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_screening_drafts")),
    )
    op.create_index(op.f("ix_screening_drafts_expires_at"), "screening_drafts", ["expires_at"])


def downgrade():
    op.drop_index(op.f("ix_screening_drafts_expires_at"), table_name="screening_drafts")
    op.drop_table("screening_drafts")
