"""A patient's messages, sent by a real worker over the machine's Redis to a real SMTP server."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from booking.clinic.times import local_time
from booking.models import NotificationStatus
from tests.factories import CLINIC_ZONE, Clinic
from tests.notifications.conftest import notifications
from tests.notifications.test_delivery import calendar_of
from tests.worker.conftest import WORKER_REDIS_URL
from tests.worker.journeys import (
    PATIENT,
    book,
    book_then_move,
    by_message_id,
    change,
    relay,
    subjects,
    text_of,
    visit_at,
)
from tests.worker.processes import Launcher, Process, Stack, eventually

ONE_MINUTE = timedelta(minutes=1)


def reminders_on_a_moved_clock(app: Flask, launch: Launcher, stack: Stack, clock: object, *,
                               expected: int, subject: str = "Reminder") -> list[object]:
    """Run a worker whose clock reads ``clock`` on a queue of its own, relay there several times; the reminders
    (or the messages whose subject starts with ``subject``).

    Waits for ``expected`` of them to the patient, then a little longer, relaying again, so that a
    twin would have time to arrive too.
    """
    queue = f"{stack.queue}-moved-{uuid.uuid4().hex[:6]}"
    moved = launch.worker("moved", clock=clock, CELERY_QUEUE=queue)
    relay(app, 3, queue=queue)
    reminders = lambda: [m for m in stack.smtp.sink.to(PATIENT) if m["Subject"].startswith(subject)]  # noqa: E731
    eventually(lambda: len(reminders()) >= expected, 30, f"{expected} message(s): {subject}")
    relay(app, 3, queue=queue)
    time.sleep(1)
    moved.stop()
    return reminders()


def test_the_confirmation_arrives_over_smtp_with_a_calendar_file_in_local_time(
        client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process) -> None:
    starts_at = visit_at(days=3, hour=10)
    book(client, clinic, starts_at)
    [confirmation] = eventually(lambda: stack.smtp.sink.to(PATIENT), 30, "the confirmation")
    assert confirmation["Subject"].startswith("Your visit is booked")
    event = calendar_of(confirmation).walk("VEVENT")[0]
    assert event.decoded("DTSTART").astimezone(CLINIC_ZONE) == starts_at
    assert local_time(starts_at) in text_of(confirmation)
    eventually(lambda: stack.smtp.sink.to(clinic.physiotherapists[0].email), 30, "the therapist's notice")
    assert f"broker: {WORKER_REDIS_URL}" in worker.output()
    assert PATIENT not in worker.output() and "Alex" not in worker.output()


def test_with_the_clock_moved_each_reminder_arrives_once(app: Flask, client: FlaskClient, clinic: Clinic,
                                                        stack: Stack, worker: Process, launch: Launcher) -> None:
    starts_at = visit_at(days=3, hour=10)
    book(client, clinic, starts_at)
    eventually(lambda: stack.smtp.sink.to(PATIENT), 30, "the confirmation")
    relay(app, 3)  # the worker on the real clock: no reminder is due yet
    [first] = reminders_on_a_moved_clock(app, launch, stack, starts_at - timedelta(hours=24) + ONE_MINUTE,
                                         expected=1)
    both = reminders_on_a_moved_clock(app, launch, stack, starts_at - timedelta(hours=2) + ONE_MINUTE, expected=2)
    assert len(both) == 2 and both[0]["Message-ID"] == first["Message-ID"]
    assert all(local_time(starts_at) in text_of(reminder) for reminder in both)
    assert set(by_message_id(stack.smtp.sink).values()) == {1}
    reminder_rows = notifications(kind="reminder")
    assert [(row.status, row.attempts) for row in reminder_rows] == [(NotificationStatus.SENT, 1)] * 2


def test_a_cancelled_visit_gets_its_cancellation_notice_and_no_reminder(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher) -> None:
    starts_at = visit_at(days=3, hour=10)
    visit = book(client, clinic, starts_at)
    eventually(lambda: stack.smtp.sink.to(PATIENT), 30, "the confirmation")
    change(client, visit, "cancel")
    eventually(lambda: len(stack.smtp.sink.to(PATIENT)) == 2, 30, "the cancellation notice")
    reminders = reminders_on_a_moved_clock(app, launch, stack, starts_at - timedelta(minutes=30), expected=0)
    assert reminders == []
    assert subjects(stack.smtp.sink) == ["Your visit is booked", "Your visit is cancelled"]
    cancellation = next(m for m in stack.smtp.sink.to(PATIENT) if m["Subject"].startswith("Your visit is cancelled"))
    assert str(calendar_of(cancellation)["METHOD"]) == "CANCEL"


def test_a_rescheduled_visit_is_reminded_of_its_new_time_only(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher) -> None:
    first_time, new_time = visit_at(days=3, hour=10), visit_at(days=4, hour=14)
    book_then_move(client, clinic, stack.smtp.sink, first_time, new_time)
    # Past both reminders of the first time and the new time's day-before one: only that one is owed.
    [day_before] = reminders_on_a_moved_clock(app, launch, stack, new_time - timedelta(hours=24) + ONE_MINUTE,
                                              expected=1)
    assert local_time(new_time) in text_of(day_before)
    both = reminders_on_a_moved_clock(app, launch, stack, new_time - timedelta(hours=2) + ONE_MINUTE, expected=2)
    assert len(both) == 2 and all(local_time(new_time) in text_of(reminder) for reminder in both)
    assert not [m for m in stack.smtp.sink.to(PATIENT) if local_time(first_time) in text_of(m)
                and m["Subject"].startswith("Reminder")]
    assert set(by_message_id(stack.smtp.sink).values()) == {1}
