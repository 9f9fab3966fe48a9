"""Engine settings per database, the one health probe, and reading a row by an id someone typed."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from flask import Flask
from sqlalchemy import CursorResult, Executable, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from booking.extensions import db

LARGEST_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger one names nobody
Row = TypeVar("Row")


def configure_engine(app: Flask) -> None:
    """Give SQLite what PostgreSQL has by default: foreign keys, waiting for locks, one writer."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    """Turn on foreign keys and begin every transaction with BEGIN IMMEDIATE.

    SQLite allows one writer at a time; taking the write lock when a transaction
    begins (instead of when it first writes) means a booking's re-check of the
    therapist's time and its insert can never interleave with another booking,
    and no transaction fails half-way on a lock upgrade.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def storable_id(value: int) -> bool:
    """Whether a number can be the id of a row (a larger one would overflow the database's integer)."""
    return 0 < value <= LARGEST_ID


def get_or_none(model: type[Row], row_id: int, **options: Any) -> Row | None:
    """The row of ``model`` with this id, or None, also for an id no row can have (which the database
    would refuse with an error rather than answer "none"). ``options`` go to ``Session.get``."""
    return db.session.get(model, row_id, **options) if storable_id(row_id) else None


def changed_rows(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session's transaction; how many rows it changed."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount  # DML answers with a cursor's result


def lock(row: Any) -> None:
    """Lock ``row`` until the transaction ends and read it afresh, so that one change at a time decides on it.

    Only the row's own table is locked: pages load rows with others outer-joined, and
    PostgreSQL refuses FOR UPDATE on the nullable side of an outer join. On SQLite
    every transaction already holds the one write lock (BEGIN IMMEDIATE above).
    """
    db.session.refresh(row, with_for_update={"of": type(row)})


def database_answers() -> bool:
    """Return whether the database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False
