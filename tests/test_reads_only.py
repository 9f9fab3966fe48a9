"""Views that only read run without a database transaction (no BEGIN, no ROLLBACK), and cannot write.

These tests need the app's own sessions on pooled connections, as in production (the other tests
share one rolled-back transaction), so they are marked ``commits``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update

from booking.database import WriteRefused, reads_only
from booking.extensions import db
from booking.models import ClinicClosure, Therapist
from tests.conftest import tables_with_rows
from tests.factories import TherapistFactory, local, small_clinic

pytestmark = pytest.mark.commits


def in_transaction(dbapi_connection: Any) -> bool:
    """Whether the driver's connection is inside a transaction now."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.in_transaction
    return bool(dbapi_connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)


@pytest.fixture
def transactions(app: Flask) -> Iterator[list[bool]]:
    """For each statement the app sends while the test runs: whether it ran inside a transaction."""
    seen: list[bool] = []

    def note(_conn: Any, cursor: Any, *_args: Any) -> None:
        seen.append(in_transaction(cursor.connection))

    event.listen(db.engine, "after_cursor_execute", note)
    yield seen
    event.remove(db.engine, "after_cursor_execute", note)


def test_a_slot_search_runs_without_a_transaction(client: FlaskClient, transactions: list[bool]) -> None:
    with time_machine.travel(local(2026, 11, 30, 8), tick=False):
        therapist = small_clinic().physiotherapists[0].id
        db.session.remove()  # as at the start of a request: no transaction yet
        transactions.clear()
        answer = client.get(f"/api/v1/slots?service=physio-60&from=2026-12-02&to=2026-12-02&therapist_id={therapist}")
    assert answer.status_code == 200 and answer.json["slots"]
    assert transactions and not any(transactions)
    transactions.clear()
    db.session.scalar(select(Therapist.name))  # the pooled connection reads in transactions again afterwards
    assert transactions and all(transactions)


def test_a_view_that_only_reads_cannot_write(app: Flask) -> None:
    therapist = TherapistFactory(bio="Sports injuries.").id
    db.session.remove()
    writes = [lambda: db.session.add(ClinicClosure(day=date(2026, 12, 25))),
              lambda: db.session.execute(update(Therapist).values(bio="Changed."))]
    for write in writes:
        with app.test_request_context(), pytest.raises(WriteRefused):
            reads_only(lambda: write() or db.session.flush())()  # noqa: B023 - called at once
    db.session.rollback()
    assert tables_with_rows() == ["therapists", "working_hours"]
    with db.engine.connect() as connection:
        assert connection.scalar(select(Therapist.bio).where(Therapist.id == therapist)) == "Sports injuries."
