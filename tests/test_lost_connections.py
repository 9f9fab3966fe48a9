"""A pooled connection the server ended (a restart, an administrator) is replaced before a request uses it.

Only the backend of this test's own app is ended, found by its process id; no other connection to the
machine's PostgreSQL is touched.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from booking.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import local, small_clinic

pytestmark = pytest.mark.commits


def end_backend(pid: int) -> None:
    """End one PostgreSQL backend as an administrator would, and wait until it is gone."""
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} still there"
            time.sleep(0.02)


def test_a_connection_the_server_ended_is_replaced_without_an_error_page(app: Flask, client: FlaskClient) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an embedded SQLite has no server to end a connection")
    with time_machine.travel(local(2026, 11, 30, 8), tick=False):
        therapist = small_clinic().physiotherapists[0].id
        db.session.remove()
        db.engine.dispose()  # from here on, every connection the app opens is noted
        backends: list[int] = []

        def note(dbapi_connection: Any, _record: Any) -> None:
            backends.append(dbapi_connection.info.backend_pid)

        event.listen(db.engine, "connect", note)
        search = f"/api/v1/slots?service=physio-60&from=2026-12-02&to=2026-12-02&therapist_id={therapist}"
        first = client.get(search)
        assert first.status_code == 200 and len(backends) == 1  # its connection went back to the pool
        end_backend(backends[0])
        again = client.get(search)
        event.remove(db.engine, "connect", note)
    assert again.status_code == 200 and again.json == first.json
    assert len(backends) == 2  # the pool opened a new connection in place of the ended one
