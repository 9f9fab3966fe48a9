"""The clinic's instructions for patients (arrive early, what to bring, parking), shown in every confirmation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

# The first instructions, as the model's default was when this revision was written.
DEFAULT_VISIT_INSTRUCTIONS = (
    "Please arrive 10 minutes early to check in.\n"
    "Wear or bring loose, comfortable clothing, and bring your Alberta Health Care card "
    "and any extended health benefits details.\n"
    "Parking: call us if you are not sure where to park.")

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinic_settings') as batch_op:
        batch_op.add_column(sa.Column('visit_instructions', sa.Text(), server_default=DEFAULT_VISIT_INSTRUCTIONS,
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('clinic_settings') as batch_op:
        batch_op.drop_column('visit_instructions')
