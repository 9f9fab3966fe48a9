"""Fixtures: app -> db -> client, on PostgreSQL and on SQLite."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.test import TestResponse

from booking import create_app
from booking.config import database_url
from booking.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
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


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the run's instance folder."""
    shutil.rmtree(TEST_INSTANCE, ignore_errors=True)


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
    """An app under test, deaf to the developer's own environment (BOOKING_ENV, REDIS_URL, ...)."""
    app = create_app(test_settings(url, **extra), environ={})
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


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database; every test using the app runs on both kinds."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_schema")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    migrate(url)
    return url


def empty_tables() -> None:
    """Delete every row, leaving the schema (its triggers included)."""
    tables = list(reversed(db.metadata.sorted_tables))
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
    db.session.commit()


@pytest.fixture
def app(database: str) -> Iterator[Flask]:
    """A fresh app on an empty database."""
    app = make_app(database)
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()
