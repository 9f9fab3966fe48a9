"""Engine settings per database, reads without a transaction, the one health probe, and reading a row by an id
someone typed."""

from __future__ import annotations

import select
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask
from sqlalchemy import CursorResult, Executable, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from booking.extensions import db

LARGEST_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger one names nobody
READS_ONLY = "reads_only"  # a session's info key, and a connection's execution option, under ``reads_only``
Row = TypeVar("Row")
View = TypeVar("View", bound=Callable[..., Any])


class WriteRefused(RuntimeError):
    """Something tried to write while a view marked ``reads_only`` ran."""


def configure_engine(app: Flask) -> None:
    """Give SQLite what PostgreSQL has by default: foreign keys, waiting for locks, one writer; on PostgreSQL,
    hand out only connections the server has not closed, each reading instants in UTC."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        check_connections(engine)
        event.listen(engine, "do_connect", _in_utc)


def _in_utc(_dialect: Any, _record: Any, _args: Any, parameters: dict[str, Any]) -> None:
    """Open a PostgreSQL session in UTC (a startup option: no round trip), whatever the server's default zone.

    The driver gives a timestamptz in the session's zone, and every instant the app reads it wants in UTC: in any
    other zone (the server's default, even Etc/UTC) each value read would be converted again in Python, over a
    thousand of them in a two-week slot search (UTCDateTime, booking.scheduling.Blocks). Nothing in the app's SQL
    depends on the session's zone (all its instants are timestamptz, compared as instants)."""
    parameters["options"] = f"{parameters.get('options', '')} -c TimeZone=UTC".strip()


def check_connections(engine: Engine) -> None:
    """Replace a pooled PostgreSQL connection the server has closed when the pool hands it out, without asking
    the server.

    ``pool_pre_ping`` asks the server (a SELECT 1) at every checkout: one round trip per request. An idle
    connection's socket has nothing to read unless the server ended it (a restart, pg_terminate_backend, an
    idle timeout: it sends an error, then closes); the driver may already know it is closed. Either way the
    pool throws it away and opens another (DisconnectionError), so that the request never sees it. A false
    alarm (the server sent a notice) costs one new connection. What this cannot see, a connection dropped
    silently on the way (a firewall's idle timeout), ``pool_recycle`` bounds (booking/config.py).
    """
    event.listen(engine, "checkout", _still_open)


def _still_open(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a connection that is closed, or whose socket has something to read (the server's goodbye)."""
    if dbapi_connection.closed:
        raise DisconnectionError("The connection is closed.")
    socket = select.poll()
    socket.register(dbapi_connection.fileno(), select.POLLIN)
    if socket.poll(0):
        raise DisconnectionError("The server sent something on an idle connection: it has closed it.")


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
        if not connection.get_execution_options().get(READS_ONLY):  # reads alone take no lock (``reads_only``)
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def reads_only(view: View) -> View:
    """Run a view that only reads without a database transaction, and refuse any write it tries.

    A transaction costs a search two round trips to PostgreSQL that carry nothing (BEGIN, then
    ROLLBACK at the end of the request): here each statement commits by itself (psycopg's autocommit;
    on SQLite no BEGIN IMMEDIATE, so no write lock either). Each statement then sees what was committed
    when it started, as in the READ COMMITTED transactions of every other request; a view that must
    read several statements from one snapshot does not belong under this decorator. A session already
    in a transaction, or bound to a connection of its own (the tests'), reads in that transaction.
    The view's result is complete when it returns (a rendered page, JSON), so the connection goes back
    to the pool then, and no later statement of the request runs in autocommit. The session is closed
    rather than rolled back: there is nothing to roll back, and closing skips expiring what was read (about
    40 µs of a one-day search's CPU); what the view read stays readable, detached.

    Writing through the session (a flush, an INSERT, UPDATE or DELETE, any statement that is not a
    SELECT) raises WriteRefused: with autocommit it would be stored at once, half a change.
    """

    @wraps(view)
    def read(*args: Any, **kwargs: Any) -> Any:
        session, bind = db.session(), db.session.get_bind()
        autocommit = isinstance(bind, Engine) and not session.in_transaction()
        if autocommit:
            options: dict[str, Any] = {READS_ONLY: True}
            if bind.dialect.name == "postgresql":
                options["isolation_level"] = "AUTOCOMMIT"
            session.connection(execution_options=options)
        session.info[READS_ONLY] = True
        try:
            return view(*args, **kwargs)
        finally:
            session.info.pop(READS_ONLY, None)
            if autocommit:  # the connection goes back to the pool now, autocommit with it
                session.close()

    return cast(View, read)


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements(state: ORMExecuteState) -> None:
    """Under ``reads_only``, only SELECTs run."""
    if state.session.info.get(READS_ONLY) and not state.is_select:
        raise WriteRefused(f"A view that only reads ran a statement that is not a SELECT: {state.statement}")


@event.listens_for(Session, "before_flush")
def _refuse_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """Under ``reads_only``, nothing is flushed."""
    if session.info.get(READS_ONLY):
        raise WriteRefused("A view that only reads tried to store a change.")


def storable_id(value: int) -> bool:
    """Whether a number can be the id of a row (a larger one would overflow the database's integer)."""
    return 0 < value <= LARGEST_ID


def parse_id(text: str | None) -> int | None:
    """The id a link or a form names, or None when the text is not the whole number of a row that can exist
    (never read as a number when it is longer than any id: a huge number costs time to convert)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(LARGEST_ID))):
        return None
    value = int(text)
    return value if storable_id(value) else None


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
