"""The clinic's reference data kept in each process: its settings, its closed days and its services.

Every slot search and booking needs them, and they change a few times a year, when an admin saves them;
so each process keeps copies (``remembered``) and drops them (``forget``) whenever they change, wherever the
change was made. Migration 0017's triggers raise the counter ``reference_version`` with every change of
those three tables.

- PostgreSQL: the triggers also NOTIFY reference_changed (delivered at commit, with the schema's name). A
  daemon thread per process LISTENs on a connection of its own and drops the copies at each notification.
  It starts on first use, again in a forked child (gunicorn's workers, Celery's pool), and after its
  connection broke; until it listens the copies are not used (reads go to the database), and when it
  listens again they are dropped, since a change may have gone unheard.
- SQLite (the embedded default, one machine): the counter is read once per request instead, a local read.
- The process that writes: a flush that touches one of the three models drops the copies, and until that
  session's transaction ends, its reads go to the database (it sees its own change at once, and a change
  then rolled back is never kept); they are dropped again at its end.
- A booking decides under its therapist's lock, and there ``confirm`` reads the counter: copies older than
  it (a change committed but not yet heard) are dropped, so the re-check reads the rules afresh.

The copies are detached from every session (``detached``) and shared by the process's threads: they are
read, never changed, and a row that links to one (a visit to its service) merges it into its session.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from flask import g, has_app_context
from sqlalchemy import Row, event, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction, make_transient_to_detached

from booking.extensions import db
from booking.models import ClinicClosure, ClinicSettings, ReferenceVersion, Service

CHANNEL = "reference_changed"
REFERENCE_MODELS = (ClinicSettings, ClinicClosure, Service)
RETRY_SECONDS = 0.5  # between attempts to listen again
PING_SECONDS = 20.0  # how often a quiet listening connection is checked
IDLE_SECONDS = 60.0  # a listener that lost its connection stops when no one asked for this long
WROTE = "reference_written"  # in a session's info: its transaction changed reference data
UNCACHED = "reference_uncached"  # in ``g``: what this request read while the copies are not used
CHECKED = "reference_checked"  # in ``g``: this request read the counter (SQLite)

Value = TypeVar("Value")
Model = TypeVar("Model")
logger = logging.getLogger(__name__)


class Copies:
    """The copies of one database's reference data in this process, shared by its threads."""

    def __init__(self, url: URL | None) -> None:
        self.url = url  # a PostgreSQL database's, which the listener connects to; None for SQLite
        self.lock = threading.RLock()
        self.values: dict[str, Any] = {}
        self.version: int | None = None  # the counter the values were read at (the lowest, when several)
        self.generation = 0  # raised at every drop, so that a value read before it is not kept
        self.listening = False
        self.stopping = False  # ``stop_listening``: the listener's connection is about to end, and that is no news
        self.asked_at = time.monotonic()
        self.listener: threading.Thread | None = None

    def drop(self) -> None:
        """Forget every value."""
        with self.lock:
            self.values.clear()
            self.version = None
            self.generation += 1


_registry_lock = threading.Lock()
_copies: dict[URL, Copies] = {}
_by_engine: weakref.WeakKeyDictionary[Engine, Copies] = weakref.WeakKeyDictionary()  # a shortcut to ``_copies``


def _after_fork() -> None:
    """A forked child starts with nothing: its parent's copies went unheard, its listener did not follow."""
    global _registry_lock
    _registry_lock = threading.Lock()
    _copies.clear()
    _by_engine.clear()


os.register_at_fork(after_in_child=_after_fork)


def _current() -> Copies:
    """The copies of the app's database in this process.

    Found by the engine first: a URL's hash renders the whole URL as text, and a slot search asks seven
    times. Two apps on one database (two engines, one URL) still share one ``Copies``.
    """
    engine = db.engine
    copies = _by_engine.get(engine)
    if copies is None:
        with _registry_lock:
            copies = _copies.get(engine.url)
            if copies is None:
                copies = _copies[engine.url] = Copies(engine.url if engine.dialect.name == "postgresql" else None)
        _by_engine[engine] = copies
    return copies


def _read_version() -> int:
    """The database's counter, in the session's transaction."""
    return db.session.execute(select(ReferenceVersion.counter).where(ReferenceVersion.id == 1)).scalar_one()


def _usable(copies: Copies) -> bool:
    """Whether this read may use the copies (see the module's docstring)."""
    if db.session.info.get(WROTE):
        return False
    if copies.url is None:
        if CHECKED not in g:  # SQLite: once per request
            version = _read_version()
            with copies.lock:
                if copies.version != version:
                    copies.drop()
                    copies.version = version  # what this request reads next is at least as new
            g.setdefault(CHECKED, True)
        return True
    copies.asked_at = time.monotonic()
    if copies.listener is None or not copies.listener.is_alive():
        _start_listener(copies)
    return copies.listening


def remembered(key: str, load: Callable[[], Value]) -> Value:
    """The value ``load`` reads (immutable or ``detached``), kept in the process until the data changes."""
    copies = _current()
    if not _usable(copies):
        uncached = g.setdefault(UNCACHED, {})
        if key not in uncached:
            uncached[key] = load()
        return uncached[key]
    with copies.lock:
        if key in copies.values:
            return copies.values[key]
        generation, version = copies.generation, copies.version
    if version is None:
        version = _read_version()  # first: what ``load`` then reads is at least as new
    value = load()
    with copies.lock:
        if copies.generation == generation:
            copies.values[key] = value
            copies.version = version if copies.version is None else min(copies.version, version)
    return value


def forget() -> None:
    """Drop every copy of this process, and what this request read without them."""
    with _registry_lock:
        every = list(_copies.values())
    for copies in every:
        copies.drop()
    if has_app_context():
        g.pop(UNCACHED, None)


def request_ended() -> None:
    """Forget what this request read past the copies and that it checked the counter (``g`` outlives a
    request when a test or a task keeps one app context)."""
    g.pop(UNCACHED, None)
    g.pop(CHECKED, None)


def confirm() -> None:
    """Under a booking's lock, in its transaction: drop copies older than the database's counter (a change
    committed but not yet heard), so that what is read next is the rules as they are now."""
    copies = _current()
    version = _read_version()
    with copies.lock:
        if copies.version is not None and copies.version != version:
            copies.drop()
    g.pop(UNCACHED, None)


def in_use() -> bool:
    """Whether reads use the copies now (on PostgreSQL: once the listener listens)."""
    return _usable(_current())


def stop_listening() -> None:
    """Let this process's listeners end quietly when their connections end, rather than warn and listen again:
    for a process about to drop its own database (a benchmark), where the lost connection is expected.
    A later use of the copies starts a listener again, as after one that stopped while idle."""
    with _registry_lock:
        every = list(_copies.values())
    for copies in every:
        copies.stopping = True


def detached(model: type[Model], row: Row[Any]) -> Model:
    """An instance of ``model`` holding a row of its table's columns, in no session: it never loads or flushes,
    and ``Session.merge(instance, load=False)`` links it to a session's rows without a query."""
    instance = model(**row._mapping)
    make_transient_to_detached(instance)
    return instance


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """A flush that wrote reference data: drop the copies, and read past them until the transaction ends."""
    if any(isinstance(instance, REFERENCE_MODELS) for instance in (*session.new, *session.dirty, *session.deleted)):
        session.info[WROTE] = True
        forget()


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The end (commit or rollback) of a transaction that wrote reference data: drop what was read meanwhile."""
    if transaction.parent is None and session.info.pop(WROTE, False):
        forget()


def _start_listener(copies: Copies) -> None:
    """Start the daemon thread that listens for the database's changes, unless it runs."""
    with copies.lock:
        if copies.listener is None or not copies.listener.is_alive():
            copies.stopping = False
            copies.listener = threading.Thread(target=_listen, args=(copies,), name="reference listener",
                                               daemon=True)
            copies.listener.start()


def _connect(url: URL) -> psycopg.Connection[Any]:
    """The listener's own connection; TCP keepalives notice a peer that went away without a word."""
    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True, connect_timeout=5, application_name=f"reference listener {os.getpid()}",
                           keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)


def _listen(copies: Copies) -> None:
    """Drop the copies at each change of this database's schema; when the connection breaks, stop using
    them and listen again; stop when no one asked for them for a while (the next use starts it again)."""
    assert copies.url is not None
    failed = False
    while True:
        try:
            with _connect(copies.url) as connection:
                schema = connection.execute("SELECT current_schema()").fetchone()
                connection.execute(f"LISTEN {CHANNEL}")
                copies.drop()
                copies.listening = True
                if failed:
                    logger.info("listening for changes of the clinic's settings again")
                failed = False
                while True:
                    for notice in connection.notifies(timeout=PING_SECONDS):
                        if schema is None or notice.payload == schema[0]:
                            copies.drop()
                    connection.execute("SELECT 1")  # a broken connection raises here
        except psycopg.Error as error:
            copies.listening = False
            copies.drop()
            if copies.stopping:
                return
            if not failed:
                logger.warning("lost the connection listening for changes of the clinic's settings (%s); "
                               "reading them from the database until it is back", type(error).__name__)
            failed = True
        if time.monotonic() - copies.asked_at > IDLE_SECONDS:
            return
        time.sleep(RETRY_SECONDS)
