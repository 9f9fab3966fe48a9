"""A caller booked by phone may have no email; an admin may join two records of one person.

``patients.email`` becomes nullable, and ``patients.merged_into_id`` / ``merged_at`` mark a
record joined into another one (its visits and plans moved there).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("patients") as batch:
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(batch.f("fk_patients_merged_into_id_patients"), "patients",
                                 ["merged_into_id"], ["id"])


def downgrade():
    op.execute("UPDATE patients SET email = '' WHERE email IS NULL")
    with op.batch_alter_table("patients") as batch:
        batch.drop_constraint(batch.f("fk_patients_merged_into_id_patients"), type_="foreignkey")
        batch.drop_column("merged_at")
        batch.drop_column("merged_into_id")
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)
