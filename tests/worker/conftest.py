"""The real parts: celery worker processes, the machine's Redis (a db and a queue of the run's own), a real
SMTP server and the run's PostgreSQL schema. No eager mode, no fake Redis, no mocked SMTP.

The web app under test publishes to the same broker and queue as the worker,
so a booking made through its test client travels as it does in production.
One worker serves every test on the shared stack; tests that start more
processes (a worker on a moved clock, beat) have them stopped when they end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from booking.extensions import db
from tests.conftest import empty_tables, make_app, migrate
from tests.factories import Clinic, small_clinic
from tests.smtp import Sink, SmtpServer
from tests.worker.processes import Launcher, Process, Stack

WORKER_REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/13")
RUN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def database(postgres_schema: str) -> str:
    """The worker tests run on PostgreSQL only: the run's own schema, migrated."""
    migrate(postgres_schema)
    return postgres_schema


@pytest.fixture(scope="session")
def shared_stack(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The machine's Redis (a db of its own, a queue of this run's own) and one SMTP server for the session."""
    with SmtpServer() as smtp:
        yield Stack(WORKER_REDIS_URL, f"worker-tests-{RUN}", smtp, database, tmp_path_factory.mktemp("worker"))
    client = redis.Redis.from_url(WORKER_REDIS_URL)
    for key in client.scan_iter(match=f"*worker-tests-{RUN}*"):
        client.delete(key)


@pytest.fixture(scope="session")
def shared_worker(shared_stack: Stack) -> Iterator[Process]:
    """One real worker for every test on the shared stack."""
    launcher = Launcher(shared_stack)
    yield launcher.worker("shared")
    launcher.stop_all()


def reset(sink: Sink) -> None:
    """Forget what the SMTP server accepted and was told to refuse."""
    with sink.lock:
        sink.messages.clear()
        sink.replies.clear()
    sink.stall.clear()
    sink.stalled = 0


@pytest.fixture
def stack(shared_stack: Stack) -> Stack:
    """The stack this test works on (fault tests override it with a throwaway one)."""
    reset(shared_stack.smtp.sink)
    return shared_stack


@pytest.fixture
def app(database: str, stack: Stack) -> Iterator[Flask]:
    """A web app on the run's schema publishing to the stack's broker and queue; tables emptied afterwards."""
    app = make_app(database, **stack.settings())
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def launch(app: Flask, stack: Stack) -> Iterator[Launcher]:
    """Starts more workers or a beat for this test; they are stopped before its tables are emptied."""
    launcher = Launcher(stack)
    yield launcher
    launcher.stop_all()


@pytest.fixture
def worker(shared_worker: Process) -> Process:
    """The running worker of the stack."""
    return shared_worker


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """Two therapists of each kind, 08:00-20:00 every day, with email addresses."""
    return small_clinic()
