"""reference_version: a counter the database raises whenever the clinic's settings, closed days or services change.

Each process keeps those three in memory (booking/clinic/cache.py); the counter tells it when to read them
again. On PostgreSQL the triggers also NOTIFY reference_changed (with the schema's name: several apps may share
a database), which every process LISTENs to; SQLite's triggers only count (each process reads the counter once
a request).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("clinic_settings", "clinic_closures", "services")
EVENTS = ("INSERT", "UPDATE", "DELETE")

POSTGRES_FUNCTION = """
CREATE FUNCTION reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_version SET counter = counter + 1 WHERE id = 1;
    PERFORM pg_notify('reference_changed', current_schema());
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        'reference_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('counter', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_reference_version_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_version')),
    )
    op.execute("INSERT INTO reference_version (id, counter) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_reference_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION reference_changed()")
    else:  # SQLite has only row triggers
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"CREATE TRIGGER {table}_reference_changed_{event.lower()} AFTER {event} ON {table} "
                           "BEGIN UPDATE reference_version SET counter = counter + 1 WHERE id = 1; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_reference_changed ON {table}")
        op.execute("DROP FUNCTION reference_changed()")
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {table}_reference_changed_{event.lower()}")
    op.drop_table('reference_version')
