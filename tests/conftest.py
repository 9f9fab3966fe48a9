"""Fixtures: app -> db -> client, on PostgreSQL and on SQLite.

Each test process makes one app per database and every test shares it, with what a test may have
changed put back before the next one (``SharedApp.reset``) and an app context of its own. A test's
database work happens in a transaction that is rolled back at its end (``rolled_back``); a test whose
rows other connections must see is marked ``commits`` and gets an app of its own instead, with the
tables emptied after it (``app``). After every test on the database, the tables must be empty
(``tables_left_empty``).
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from argon2 import PasswordHasher
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session
from hypothesis import HealthCheck, settings
from sqlalchemy import CompoundSelect, Connection, Table, exists, literal, select, text, union_all, update
from werkzeug.test import TestResponse

from booking import create_app
from booking.cli import migrations
from booking.clinic import cache as reference_cache
from booking.config import database_url
from booking.extensions import db, limiter
from booking.models import ReferenceVersion
from booking.services.staff_accounts import passwords

# Property tests are judged on what they find, never on speed: a loaded 2-core CI machine (or the helpers'
# runs beside it) must not fail them with Hypothesis's deadline or its "too slow" health check.
settings.register_profile("clinic", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("clinic")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
WORKER_TESTS = Path(__file__).resolve().parent / "worker"
# The run's own instance folder (mail files, the embedded broker), never the developer's.
TEST_INSTANCE = Path(tempfile.mkdtemp(prefix="booking-tests-"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the whole run at once, naming the server, when a required one does not answer."""
    missing = []
    try:
        psycopg.connect(TEST_DATABASE_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        missing.append(f"PostgreSQL at {TEST_DATABASE_URL} ({exc})")
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        missing.append(f"Redis at {TEST_REDIS_URL} ({exc})")
    if not (SHARED / "screening" / "vignettes.json").exists():
        missing.append(f"the shared screening material at {SHARED}")
    if missing:
        pytest.exit("Required for the tests but not answering: " + "; ".join(missing), returncode=3)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the worker tests first: they mostly wait on real processes, and one test process waiting there
    while the other works (xdist hands out the first tests in a block to each) beats both waiting at the end."""
    items.sort(key=lambda item: WORKER_TESTS not in item.path.parents)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the run's instance folder."""
    shutil.rmtree(TEST_INSTANCE, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Staff passwords hashed and checked with argon2's cheapest parameters in this process: the real ones
    cost a tenth of a second and four threads each time, and no test is about that cost (a hash is
    checked, refused and replaced the same way)."""
    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    passwords._hasher = real


def test_settings(url: str, **extra: object) -> dict[str, object]:
    """Settings for an app under test."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "PUBLIC_BASE_URL": "http://localhost",
        "INSTANCE_PATH": str(TEST_INSTANCE),
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        **extra,
    }


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


class FreshRequestClient(FlaskClient):
    """A test client whose every request (each redirect followed too) starts with an empty ``g``.

    A test keeps one app context open, so that it and the app's requests share one
    database session; Flask then runs the requests in that context, and ``g`` (the
    signed-in staff member Flask-Login found, the staff session) would carry over
    from one request to the next. In production every request has a context, and
    so a ``g``, of its own: this client gives the tests the same.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


def make_app(url: str, **extra: object) -> Flask:
    """An app under test, deaf to the developer's own environment (BOOKING_ENV, REDIS_URL, ...).

    Flask-Migrate is bound to it, as ``flask db`` binds it, so that a test may call ``upgrade()``.
    """
    app = create_app(test_settings(url, **extra), environ={})
    migrations.bind(app)
    app.test_client_class = FreshRequestClient
    return app


def private_schema(name: str) -> Iterator[str]:
    """A fresh schema of the test database, first on the search path, dropped afterwards.

    Each test run (and each part of a run) works in its own schema, so runs side by
    side never touch each other's tables; btree_gist lives in public for all of them.
    """
    schema = f"{name}_{os.getpid()}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        # Two workers starting on a fresh database would both create the extension: one at a time.
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('btree_gist'))")
            conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    yield database_url(TEST_DATABASE_URL) + f"?options=-csearch_path%3D{schema}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """The URL of this run's own schema of the PostgreSQL test database."""
    yield from private_schema("test")


def migrate(url: str) -> None:
    """Bring an empty database to the latest schema."""
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


MIGRATED: dict[str, str] = {}  # the URL of each kind of database, once migrated


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database; every test using the app runs on both kinds.

    Each kind is made and migrated once per process, even when the tests of the two kinds take turns.
    """
    if request.param not in MIGRATED:
        if request.param == "postgresql":
            url = request.getfixturevalue("postgres_schema")
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
        migrate(url)
        MIGRATED[request.param] = url
    return MIGRATED[request.param]


def record_tables() -> list[Table]:
    """The tables of records: all but ``reference_version``, the counter of changes whose one row stays."""
    return [table for table in db.metadata.sorted_tables if table.name != ReferenceVersion.__tablename__]


def empty_tables() -> None:
    """Delete every row, leaving the schema (its triggers included), and count it as a change of the clinic's
    settings and services: TRUNCATE, and SQLite's deletes with the triggers set aside, go past the triggers
    that tell every process (booking.clinic.cache)."""
    tables = list(reversed(record_tables()))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:  # the triggers that keep the audit log from being deleted are set aside meanwhile
        triggers = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _ in triggers:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            db.session.execute(table.delete())
        for _, sql in triggers:
            db.session.connection().exec_driver_sql(sql)
    db.session.execute(update(ReferenceVersion).values(counter=ReferenceVersion.counter + 1))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_notify('reference_changed', current_schema())"))
    db.session.commit()
    reference_cache.forget()


@cache
def _holding_rows() -> CompoundSelect:
    """The names of the tables that hold a row, in one query."""
    return union_all(*(select(literal(table.name)).where(exists(table.select()))
                       for table in record_tables()))


def tables_with_rows() -> list[str]:
    """The tables that hold a row, read on a connection of its own."""
    with db.engine.connect() as connection:
        return list(connection.scalars(_holding_rows()))


class BoundSession(Session):
    """A session on the one connection it is given (Flask-SQLAlchemy's own always takes the app's engine)."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Connection:
        return self.bind


@contextmanager
def rolled_back() -> Iterator[None]:
    """``db.session`` on one connection whose transaction is rolled back at the end, leaving the tables empty.

    The sessions (one per app context, as in production) join that transaction through savepoints:
    a service's ``commit()`` releases one and its ``rollback()`` returns to it, so that what the code
    under test does with its transaction behaves as with a real one, while nothing is ever committed.
    Only this connection sees the test's rows: a test whose rows other connections must see (threads,
    other processes, another app) is marked ``commits`` (see ``app``).
    """
    original = db.session
    with db.engine.connect() as connection:
        transaction = connection.begin()
        db.session = db._make_scoped_session(  # Flask-SQLAlchemy's own scoping, on our connection
            {"class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"})
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            reference_cache.forget()  # what the process kept was read in the transaction rolled back behind its back


@dataclass
class SharedApp:
    """The app of one database that every test of a process shares, and its configuration as it was made."""

    app: Flask
    config: dict[str, Any]
    views: dict[str, Any]

    def reset(self) -> None:
        """Undo what an earlier test changed: the configuration, the rate limiter and the default Celery app
        (global objects another test's own app reconfigures), and the mail and broker files written."""
        self.app.config.clear()
        self.app.config.update(copy.deepcopy(self.config))
        self.app.view_functions.clear()
        self.app.view_functions.update(self.views)
        limiter.init_app(self.app)
        self.app.extensions["celery"].set_default()
        shutil.rmtree(Path(self.app.instance_path) / "mail", ignore_errors=True)
        for message in (Path(self.app.instance_path) / "broker").glob("*/*"):
            message.unlink()


SHARED_APPS: dict[str, SharedApp] = {}  # by database URL


def shared_app(url: str) -> SharedApp:
    """The process's app on this database, made by the first test that needs it."""
    if url not in SHARED_APPS:
        app = make_app(url)
        SHARED_APPS[url] = SharedApp(app, copy.deepcopy(dict(app.config)), dict(app.view_functions))
    return SHARED_APPS[url]


@pytest.fixture(autouse=True)
def tables_left_empty(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test on the database that leaves a row behind (after emptying the tables): the next one counts
    on empty tables. Rows committed on another connection outlive the rollback: such a test is marked
    ``commits``, so that the ``app`` fixture empties the tables after it."""
    yield
    if "database" not in request.fixturenames:
        return
    with shared_app(request.getfixturevalue("database")).app.app_context():
        if leftover := tables_with_rows():
            empty_tables()
            pytest.fail(f"The test left rows in {', '.join(leftover)}: mark it with @pytest.mark.commits "
                        "and give it the app fixture", pytrace=False)


@pytest.fixture
def app(request: pytest.FixtureRequest, database: str) -> Iterator[Flask]:
    """The app on an empty database, in an app context of the test's own (so a fresh ``g``).

    The app is made once per process and database; the test's database work is rolled back
    (``rolled_back``). A test marked ``commits`` gets what every test once had instead: an app made
    for it alone, real commits, and every table emptied afterwards. That is for the tests whose rows
    other connections must see: requests served from other threads (the race tests, a live server),
    other processes (gunicorn, Celery workers) or another app of the test's own on the same database.
    """
    if request.node.get_closest_marker("commits"):
        own = make_app(database)
        with own.app_context():
            yield own
            db.session.remove()
            empty_tables()
            db.engine.dispose()
        return
    shared = shared_app(database)
    shared.reset()
    with shared.app.app_context(), rolled_back():
        yield shared.app
    if shared.app.view_functions != shared.views:
        pytest.fail("The test changed the shared app's views: give it the fresh_app fixture", pytrace=False)


@pytest.fixture
def fresh_app(database: str) -> Iterator[Flask]:
    """An app made for this test alone, for a test that changes the app itself (adds a route), which the
    shared app refuses once it has served a request; its database work is rolled back as the shared app's."""
    fresh = make_app(database)
    with fresh.app_context():
        with rolled_back():
            yield fresh
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()
