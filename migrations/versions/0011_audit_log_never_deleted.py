"""The audit log cannot be deleted from on SQLite either (PostgreSQL's trigger refuses it since 0007).

On PostgreSQL, TRUNCATE and disabling the trigger are kept from the app by its
own role when MIGRATION_DATABASE_URL is set (see booking/database_roles.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_GUARD = """
CREATE TRIGGER audit_events_never_deleted BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is never edited');
END
"""


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_GUARD)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_events_never_deleted")
