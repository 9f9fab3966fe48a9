"""Faults injected into real processes, each test on a throwaway redis-server and SMTP server of its own.

The broker down at booking time, a worker killed with SIGKILL mid-batch (and
once in the narrow window after the server's acceptance), attempts that never
finish, a retry asked for while a worker is sending, a mail server answering
421, then 550 or unable to take an address, two workers and many relays at
once: every message arrives, none twice (counted by Message-ID), and what
cannot be sent is marked failed and listed.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from booking import outbox
from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import ContactMessage, Notification, NotificationStatus
from booking.outbox import relay
from booking.outbox import retries as admin
from tests.factories import Clinic
from tests.notifications.conftest import notifications
from tests.smtp import SmtpServer
from tests.worker.journeys import PATIENT, book, by_message_id, visit_at
from tests.worker.journeys import relay as relay_task
from tests.worker.processes import PROJECT_ROOT, TIMINGS, Launcher, Process, Stack, eventually, throwaway_stack

DELIVER_TASK = "notifications.deliver"


@pytest.fixture
def stack(database: str, tmp_path: Path) -> Iterator[Stack]:
    """A redis-server of this test's own (not started yet) and an SMTP server of its own."""
    with throwaway_stack(database, tmp_path, "faults") as stack:
        yield stack


@pytest.fixture
def worker(stack: Stack, launch: Launcher) -> Process:
    """The throwaway broker started, and a real worker on it."""
    stack.broker.start()
    return launch.worker()


def owe_contact_messages(count: int) -> list[int]:
    """Store ``count`` contact messages with their notifications, as written by a web process that died
    before publishing them, one lease ago: every relay takes them at once. The notifications' ids."""
    now = moment() - timedelta(seconds=TIMINGS["NOTIFY_LEASE_SECONDS"] + 1)
    notices = []
    for n in range(count):
        message = ContactMessage(name=f"Sam Lee {n}", email=f"sam{n}@example.com", phone=None,
                                 message="Please call me back about an appointment.")
        db.session.add(message)
        db.session.flush()
        notices.append(outbox.for_contact_message(message, now=now))
    db.session.commit()
    return [notice.id for notice in notices]


def flask_command(stack: Stack, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app booking ARGUMENTS`` in a process of its own, configured as the stack's workers."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "booking", *arguments], cwd=PROJECT_ROOT,
                          env=stack.environment(), capture_output=True, text=True, timeout=60)


def without_smtputf8(smtp: SmtpServer) -> None:
    """Restart the SMTP server on its port as one that does not take internationalised addresses."""
    handler = smtp.controller.handler
    smtp.controller.stop()
    smtp.controller = Controller(handler, hostname="127.0.0.1", port=smtp.port, enable_SMTPUTF8=False)
    smtp.controller.start()


def without_therapist_email(clinic: Clinic) -> Clinic:
    """The first physiotherapist gets no email, so a booking sends one message only: the patient's."""
    clinic.physiotherapists[0].email = None
    db.session.commit()
    return clinic


def test_a_booking_made_while_the_broker_is_down_succeeds_and_is_delivered_once_it_is_back(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, launch: Launcher) -> None:
    started = time.monotonic()
    book(client, clinic, visit_at(days=3, hour=10))
    assert time.monotonic() - started < 2
    stack.broker.start()
    launch.worker()
    relay_task(app, 3)
    sink = stack.smtp.sink
    eventually(lambda: len(sink.messages) >= 2, 30, "the confirmation and the therapist's notice")
    relay_task(app, 3)
    time.sleep(1)
    assert len(sink.to(PATIENT)) == 1 and sorted(by_message_id(sink).values()) == [1, 1]


def test_a_worker_killed_mid_batch_leaves_every_message_delivered_once_after_the_lease(
        app: Flask, stack: Stack, worker: Process, launch: Launcher) -> None:
    sink = stack.smtp.sink
    owe_contact_messages(40)
    relay.relay_due()
    eventually(lambda: len(sink.messages) >= 10, 30, "ten messages")
    sink.stall.set()
    eventually(lambda: sink.stalled >= 2, 30, "both of the worker's processes in the middle of a message")
    worker.kill()
    sink.stall.clear()
    assert 10 <= len(sink.messages) < 40
    launch.worker("restarted")
    launch.beat()
    eventually(lambda: len(by_message_id(sink)) == 40, 30, "all 40 messages")
    time.sleep(1.5)
    assert set(by_message_id(sink).values()) == {1} and len(sink.messages) == 40
    assert {row.status for row in notifications()} == {NotificationStatus.SENT}


def test_a_mail_server_answering_421_gets_the_message_on_a_later_attempt(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher) -> None:
    stack.smtp.sink.refuse("421 Service not available, try again later")
    launch.beat()
    book(client, without_therapist_email(clinic), visit_at(days=3, hour=10))
    [confirmation] = eventually(lambda: stack.smtp.sink.to(PATIENT), 30, "the confirmation, on a retry")
    assert confirmation["Subject"].startswith("Your visit is booked")
    time.sleep(1.5)
    assert len(stack.smtp.sink.messages) == 1
    [row] = notifications(kind="confirmation")
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 2, None)


def test_a_worker_killed_after_the_server_accepted_a_message_resends_it_with_the_same_message_id(
        app: Flask, stack: Stack, worker: Process, launch: Launcher) -> None:
    """The one narrow window (delivery's docstring): accepted by the server, killed before the mark."""
    sink = stack.smtp.sink
    sink.stall.set()
    [notification_id] = owe_contact_messages(1)
    relay.relay_due()
    eventually(lambda: sink.stalled, 30, "the worker talking to the mail server")
    with psycopg.connect(stack.database_url.replace("postgresql+psycopg", "postgresql")) as lock:
        # Hold the row, so that the worker's mark waits once the server has accepted the message.
        lock.execute("SELECT id FROM notifications WHERE id = %s FOR UPDATE", [notification_id])
        sink.stall.clear()
        eventually(lambda: sink.messages, 30, "the message accepted")
        worker.kill()
    launch.worker("restarted")
    launch.beat()
    eventually(lambda: len(sink.messages) == 2, 30, "the message sent again after the lease")
    assert list(by_message_id(sink).values()) == [2]
    # The server accepts before the worker marks the row: the mark follows.
    eventually(lambda: [row.status for row in notifications()] == [NotificationStatus.SENT], 30, "the row marked sent")


def test_a_notification_the_worker_cannot_make_fails_at_once(
        app: Flask, clinic: Clinic, stack: Stack, launch: Launcher) -> None:
    """A row the worker cannot render (an event written by a newer web app, in a rolling upgrade)
    is marked failed on its first attempt, with the error's class, not left "sending" until its lease ends."""
    therapist = clinic.physiotherapists[0]
    db.session.add(Notification(kind="care_plan", key=f"care-plan:1:plan_archived:1:{therapist.id}", due_at=moment(),
                                care_plan_id=1, event="plan_archived", therapist_id=therapist.id))
    db.session.commit()
    stack.broker.start()
    quickly = {"NOTIFY_MAX_ATTEMPTS": 2, "NOTIFY_LEASE_SECONDS": 1}  # a lease that ran out would show at once
    launch.worker(**quickly)
    launch.beat(**quickly)
    relay.relay_due()
    eventually(lambda: notifications(status=NotificationStatus.FAILED), 30, "the notification failed")
    time.sleep(2)  # beat relays meanwhile: nothing is tried again
    [row] = notifications()
    assert (row.status, row.attempts, row.last_error) == (
        NotificationStatus.FAILED, 1, "the message could not be made (KeyError)")
    assert stack.smtp.sink.messages == []


def test_retrying_a_notification_while_a_worker_is_sending_it_does_not_send_it_twice(
        app: Flask, stack: Stack, worker: Process) -> None:
    sink = stack.smtp.sink
    sink.stall.set()
    [notification_id] = owe_contact_messages(1)
    relay.relay_due()
    eventually(lambda: sink.stalled, 30, "the worker talking to the mail server")
    # Retried here, as `flask notifications retry` does (its wording: tests/notifications/test_admin.py): a
    # command's start-up on a loaded machine can outlast the tests' 3-second lease, after which a retry is right.
    with pytest.raises(admin.NotRetryable):
        admin.retry(notification_id, by_staff=None)
    sink.stall.clear()
    eventually(lambda: sink.messages, 30, "the message")
    time.sleep(1.5)
    assert len(sink.messages) == 1
    db.session.expire_all()
    assert [row.status for row in notifications()] == [NotificationStatus.SENT]


@pytest.mark.parametrize(("reply", "email", "error"), [
    ("550 No such user here", PATIENT, "SMTP 550 for the recipient"),
    # An address the server cannot take (it does not offer SMTPUTF8, as some relays do not) is as
    # permanent as a 550.
    (None, "zoë@example.com", "the mail server cannot take this address (no SMTPUTF8)"),
], ids=["550", "international address"])
def test_a_permanent_refusal_fails_the_message_once_and_lists_it(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher,
        reply: str | None, email: str, error: str) -> None:
    if reply:
        stack.smtp.sink.refuse(reply)
    else:
        without_smtputf8(stack.smtp)
    launch.beat()
    book(client, without_therapist_email(clinic), visit_at(days=3, hour=10), email=email)
    eventually(lambda: notifications(kind="confirmation", status=NotificationStatus.FAILED), 30, "a failure")
    time.sleep(2.5)  # beat relays a few times meanwhile: nothing is tried again
    [row] = notifications(kind="confirmation")
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.FAILED, 1, error)
    assert stack.smtp.sink.messages == []
    listing = flask_command(stack, "notifications").stdout
    [line] = [line for line in listing.splitlines() if line.split()[:1] == [str(row.id)]]
    assert line.split()[1:3] == ["failed", "confirmation"] and line.endswith(f"1  {error}")
    assert email not in listing and "Alex" not in listing


def test_two_workers_and_many_relays_at_once_deliver_every_message_once(
        app: Flask, stack: Stack, worker: Process, launch: Launcher) -> None:
    launch.worker("second")
    ids = owe_contact_messages(200)

    def relay_here() -> None:
        """A relay in this process, racing the workers' relays."""
        with app.app_context():
            relay.relay_due()

    def deliver_twice() -> None:
        """Every notification's deliver task, twice more: a duplicate task must be harmless."""
        for notification_id in ids * 2:
            app.extensions["celery"].send_task(DELIVER_TASK, args=[notification_id])

    threads = [threading.Thread(target=relay_here) for _ in range(4)] + [threading.Thread(target=deliver_twice)]
    for thread in threads:
        thread.start()
    relay_task(app, 10)
    for thread in threads:
        thread.join()
    sink = stack.smtp.sink
    eventually(lambda: len(by_message_id(sink)) == 200, 40, "all 200 messages")
    relay_task(app, 3)
    time.sleep(1.5)
    assert set(by_message_id(sink).values()) == {1} and len(sink.messages) == 200
    assert {row.status for row in notifications()} == {NotificationStatus.SENT}
