"""Two PostgreSQL roles: the owner of the tables migrates, the app's role only reads and writes rows.

With MIGRATION_DATABASE_URL set, ``flask db upgrade`` connects as that user (the
owner: it creates and alters the tables), and after every upgrade or downgrade,
in the same transaction, grants the user of DATABASE_URL exactly what the app
needs: rows of every table of the schema (so tables of later migrations are
covered too) and its sequences, but of the audit log only INSERT and SELECT,
and of alembic_version only SELECT. Not owning the tables, the app's role cannot
TRUNCATE, alter or drop them, nor disable the trigger that refuses edits.

Without MIGRATION_DATABASE_URL one user does both, as before.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from booking.extensions import db

# Tables whose rows the app may add and read, never change or remove.
APPEND_ONLY = ("audit_events",)
READ_ONLY = ("alembic_version",)


def migration_engine(app: Flask) -> Engine:
    """The engine migrations run on: the owner's when MIGRATION_DATABASE_URL is set, else the app's."""
    owner_url = app.config.get("MIGRATION_DATABASE_URL")
    if not owner_url:
        return db.engine
    return create_engine(owner_url, poolclass=NullPool, hide_parameters=True)


def app_role(app: Flask) -> str | None:
    """The role to grant the app's privileges to, when the owner migrates; None when one role does both."""
    if not app.config.get("MIGRATION_DATABASE_URL"):
        return None
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).username


def grant_app_role(connection: Connection, role: str) -> None:
    """Give ``role`` only the app's privileges on the tables and sequences of the current schema."""
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    _refuse_a_role_that_could_erase(connection, role, schema)
    quote = connection.dialect.identifier_preparer.quote
    who, where = quote(role), quote(schema)
    statements = [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ]
    present = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                                     {"schema": schema}).scalars())
    statements += [f"REVOKE UPDATE, DELETE ON {where}.{quote(table)} FROM {who}"
                   for table in APPEND_ONLY if table in present]
    statements += [f"REVOKE INSERT, UPDATE, DELETE ON {where}.{quote(table)} FROM {who}"
                   for table in READ_ONLY if table in present]
    for statement in statements:
        connection.exec_driver_sql(statement)
    _refuse_privileges_granted_by_others(connection, role, schema, present)


def _refuse_privileges_granted_by_others(connection: Connection, role: str, schema: str, present: set[str]) -> None:
    """Stop the upgrade if ``role`` may still change the audit log (a privilege another user granted it)."""
    for table in (table for table in APPEND_ONLY if table in present):
        if connection.execute(text("SELECT has_table_privilege(:role, :table, 'UPDATE, DELETE, TRUNCATE, TRIGGER')"),
                              {"role": role, "table": f'"{schema}"."{table}"'}).scalar_one():
            raise RuntimeError(f"The user of DATABASE_URL ({role}) may still change or empty {table}: a user other "
                               "than the owner granted it that. Revoke it as that user, then run the upgrade again.")


def _refuse_a_role_that_could_erase(connection: Connection, role: str, schema: str) -> None:
    """Stop the upgrade when ``role`` is missing, a superuser, or the audit log's owner (or a member of it)."""
    found = connection.execute(text(
        "SELECT r.rolsuper, pg_has_role(r.oid, t.tableowner, 'USAGE') FROM pg_roles r "
        "LEFT JOIN pg_tables t ON t.schemaname = :schema AND t.tablename = 'audit_events' "
        "WHERE r.rolname = :role"), {"role": role, "schema": schema}).one_or_none()
    if found is None:
        raise RuntimeError(f"The user of DATABASE_URL ({role}) does not exist: create it (without SUPERUSER), "
                           "then run the upgrade again.")
    superuser, owns = found
    if superuser or owns:
        raise RuntimeError(f"The user of DATABASE_URL ({role}) is a superuser or owns the tables, so it could "
                           "erase the audit log: connect the app as a user of its own (NOSUPERUSER, not a "
                           "member of the owner; `REASSIGN OWNED BY` moves tables it owns to the owner).")
