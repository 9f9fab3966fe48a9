"""The clinic's settings, closed days and services kept in each process (booking.clinic.cache): a search with
them kept reads none of them; a change is seen at once where it is made, within moments in every other process;
a change rolled back is not kept; and a booking decides by the rules the database holds, heard of or not."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date

import psycopg
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Executable, create_engine, insert, update
from sqlalchemy.pool import NullPool

from booking.clinic import cache
from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.models import ClinicClosure, ClinicSettings, Service
from booking.services.visits import InvalidBooking, book
from tests.conftest import TEST_DATABASE_URL
from tests.factories import Clinic, local, small_clinic
from tests.reference import kept_in_process
from tests.services.test_booking import request_for
from tests.staff.therapist_pages import counted_queries

NOW = local(2026, 11, 30, 8)  # a Monday morning
WEDNESDAY = date(2026, 12, 2)
SEARCH = f"/api/v1/slots?service=physio-60&from={WEDNESDAY}&to={WEDNESDAY}"
REFERENCE_TABLES = ("clinic_settings", "clinic_closures", "services")


@pytest.fixture(autouse=True)
def monday() -> Iterator[None]:
    """The clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield


def offered(client: FlaskClient) -> list[str]:
    """The start times the slots API offers on the Wednesday."""
    return [slot["starts_at"] for slot in client.get(SEARCH).json["slots"]]


def reference_reads(statements: list[str]) -> list[str]:
    """The statements that read the settings, the closed days or the services."""
    return [statement for statement in statements
            if any(f"FROM {table}" in " ".join(statement.split()) for table in REFERENCE_TABLES)]


def within_two_seconds(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds; fail after two seconds."""
    deadline = time.monotonic() + 2
    while not condition():
        assert time.monotonic() < deadline, "not within two seconds"
        time.sleep(0.05)


def terminate_listener() -> None:
    """End this process's listener's connection from the server's side, as a restart or a dropped database does."""
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
        ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                              [f"reference listener {os.getpid()}"]).fetchall()
    assert ended == [(True,)]


def commit_elsewhere(app: Flask, statement: Executable) -> None:
    """Run one statement on a connection of another engine, as another process would, and commit it."""
    db.session.commit()  # SQLite: this test's session lets go of the one write lock
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with other.begin() as connection:
        connection.execute(statement)
    other.dispose()


def test_a_search_with_the_data_kept_reads_no_settings_closed_days_or_service(client: FlaskClient,
                                                                              clinic: Clinic) -> None:
    kept_in_process()
    assert offered(client)
    with counted_queries() as statements:
        assert offered(client)
    assert reference_reads(statements) == []
    assert len(statements) <= 4  # the calendars in two (SQLite: and the counter of changes; a savepoint here)


def test_a_change_made_here_is_seen_at_once_and_one_rolled_back_is_not_kept(client: FlaskClient,
                                                                            clinic: Clinic) -> None:
    kept_in_process()
    before = offered(client)
    db.session.add(ClinicClosure(day=WEDNESDAY, label="Staff training"))
    db.session.flush()
    assert offered(client) == []  # in the transaction that made it, not yet committed
    db.session.rollback()
    assert offered(client) == before
    db.session.get_one(ClinicSettings, 1).opening_hours = [["12:00", "14:00"]] * 7
    db.session.commit()
    hours = offered(client)
    assert (hours[0], hours[-1]) == ("2026-12-02T12:00:00-07:00", "2026-12-02T13:00:00-07:00")


@pytest.mark.commits
def test_a_change_committed_by_another_process_is_seen_within_moments(app: Flask, client: FlaskClient) -> None:
    small_clinic()
    kept_in_process()
    assert offered(client)
    commit_elsewhere(app, insert(ClinicClosure).values(day=WEDNESDAY, label="", created_at=NOW))
    within_two_seconds(lambda: offered(client) == [])
    commit_elsewhere(app, update(Service).values(active=False))
    within_two_seconds(lambda: client.get(SEARCH).status_code == 422)


def test_while_the_listener_has_no_connection_reads_go_to_the_database(client: FlaskClient, clinic: Clinic,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no listener: each request reads the counter of changes")
    kept_in_process()
    offered(client)

    def refused(*args: object, **kwargs: object) -> None:
        raise psycopg.OperationalError("the database cannot be reached")

    monkeypatch.setattr(cache, "_connect", refused)
    terminate_listener()
    within_two_seconds(lambda: not cache.in_use())
    for _ in range(2):
        with counted_queries() as statements:
            assert offered(client)
        assert len(reference_reads(statements)) == 3  # each search reads them all again
    monkeypatch.undo()
    kept_in_process()
    offered(client)
    with counted_queries() as statements:
        assert offered(client)
    assert reference_reads(statements) == []


def test_a_listener_told_to_stop_ends_without_a_warning_when_its_connection_ends(
        client: FlaskClient, clinic: Clinic, caplog: pytest.LogCaptureFixture) -> None:
    """A benchmark drops its database at the end: its app's listener must not warn of a lost connection."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no listener: each request reads the counter of changes")
    kept_in_process()
    listener = cache._current().listener
    assert listener is not None
    cache.stop_listening()
    with caplog.at_level(logging.INFO, logger=cache.__name__):
        terminate_listener()
        within_two_seconds(lambda: not listener.is_alive())
    assert [record.getMessage() for record in caplog.records if record.name == cache.__name__] == []
    kept_in_process()  # the next use listens again
    assert cache._current().listener is not listener


@pytest.mark.commits
def test_a_booking_follows_a_notice_raised_elsewhere_before_the_process_hears_of_it(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clinic = small_clinic()
    kept_in_process()
    assert clinic_settings().min_notice_minutes == 120
    copies = cache._current()
    drop = copies.drop
    # The notification (PostgreSQL) or the request's check of the counter (SQLite) comes late: only the
    # booking itself (this thread) may still drop the copies.
    monkeypatch.setattr(copies, "drop", lambda: drop() if threading.current_thread() is threading.main_thread()
                        else None)
    commit_elsewhere(app, update(ClinicSettings).values(min_notice_minutes=3 * 24 * 60))
    time.sleep(0.2)
    assert clinic_settings().min_notice_minutes == 120  # the process still holds the old rule
    with pytest.raises(InvalidBooking):
        book(request_for(clinic, local(2026, 12, 2, 10)), now=NOW)  # two days ahead: too soon now
    assert clinic_settings().min_notice_minutes == 3 * 24 * 60
    assert book(request_for(clinic, local(2026, 12, 4, 10)), now=NOW).appointment.id
