"""Handing notifications to the worker in one round trip, the beat relay's batches (each notification
still claimed and marked on its own), and the message made as email's default policy makes it."""

from __future__ import annotations

import base64
import json
import re
import uuid
from email import policy
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery
from flask import Flask
from sqlalchemy.exc import OperationalError

from booking import outbox
from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import ContactMessage, NotificationStatus
from booking.notifications import channels, delivery, messages
from booking.outbox import relay
from tests.conftest import TEST_REDIS_URL
from tests.factories import Clinic
from tests.notifications.conftest import notifications
from tests.smtp import SmtpServer


def owe_contact_messages(count: int, *, handed_over: bool) -> list[int]:
    """Store ``count`` contact messages with their notifications, due now; their ids. Without
    ``handed_over`` they are as a web process left them that died before publishing them, a lease ago."""
    contacts = [ContactMessage(name=f"Sam Lee {n}", email=f"sam{n}@example.com", phone=None,
                               message="Please call me back.") for n in range(count)]
    db.session.add_all(contacts)
    db.session.flush()
    notices = [outbox.for_contact_message(contact, now=moment()) for contact in contacts]
    if not handed_over:
        for notice in notices:
            notice.relayed_at = None
    db.session.commit()
    return [notice.id for notice in notices]


def published(app: Flask) -> list[tuple[str, Any]]:
    """(task name, arguments) of every task in the filesystem broker's queue."""
    queue = Path(app.instance_path) / "broker" / "queue"
    messages_ = [json.loads(path.read_text()) for path in sorted(queue.glob("*.msg"))]
    return [(message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0]) for message in messages_]


@pytest.fixture
def redis_broker(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app publishing to the test Redis on a queue of its own; the number of round trips to it, as counted."""
    queue = f"handing-over-{uuid.uuid4().hex[:8]}"
    celery = Celery(broker=TEST_REDIS_URL)
    celery.conf.update(task_default_queue=queue, broker_connection_timeout=2)
    monkeypatch.setitem(app.extensions, "celery", celery)
    trips: list[bytes] = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        trips.append(command)
        send(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    store = redis.Redis.from_url(TEST_REDIS_URL)
    yield trips, store, queue
    store.delete(queue)
    celery.close()


def test_a_hand_over_reaches_the_broker_in_one_round_trip(clinic: Clinic, redis_broker: Any) -> None:
    trips, store, queue = redis_broker
    first, *others = owe_contact_messages(4, handed_over=True)
    rows = {row.id: row for row in notifications()}
    relay.hand_over([rows[first]])  # the connection is made (its greeting and database are round trips too)
    trips.clear()
    relay.hand_over([rows[one] for one in others])
    assert len(trips) == 1
    tasks = [json.loads(raw) for raw in store.lrange(queue, 0, -1)]
    assert {task["headers"]["task"] for task in tasks} == {relay.DELIVER_TASK}
    carried = [json.loads(base64.b64decode(task["body"]))[0] for task in tasks]
    assert sorted(carried) == [[one] for one in sorted([first, *others])]


def test_the_beat_relay_hands_over_up_to_ten_notifications_a_task(app: Flask, clinic: Clinic) -> None:
    ids = owe_contact_messages(23, handed_over=False)
    assert relay.relay_due() == 23
    tasks = published(app)
    assert {name for name, _ in tasks} == {relay.DELIVER_BATCH_TASK}
    batches = [arguments[0] for _, arguments in tasks]  # one argument: the list of ids
    assert sorted(len(batch) for batch in batches) == [3, 10, 10]
    assert sorted(one for batch in batches for one in batch) == ids


def test_a_batch_claims_sends_and_marks_each_notification_on_its_own(
        app: Flask, clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    first, broken, taken, last = owe_contact_messages(4, handed_over=True)
    delivery.claim(taken, moment())  # another worker's, its lease still running
    render = messages.render

    def database_gone(notification: Any, now: Any) -> Any:
        if notification.id == broken:
            raise OperationalError("SELECT", {}, Exception("the server closed the connection"))
        return render(notification, now)

    monkeypatch.setattr(messages, "render", database_gone)
    with SmtpServer() as smtp:
        app.config.update(smtp.settings())
        outcomes = delivery.deliver_each([first, broken, taken, last, 999_999])
        assert len(smtp.sink.messages) == 2
    assert outcomes == ["sent", delivery.UNFINISHED, "not claimed", "sent", "not claimed"]
    rows = {row.id: (row.status, row.attempts) for row in notifications()}
    assert rows == {first: (NotificationStatus.SENT, 1), broken: (NotificationStatus.SENDING, 1),
                    taken: (NotificationStatus.SENDING, 1), last: (NotificationStatus.SENT, 1)}


def test_the_message_is_made_as_the_default_email_policy_makes_it(
        clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    """The header classes made once change nothing in the message but its cost."""
    owe_contact_messages(1, handed_over=True)
    outgoing = messages.render(notifications()[0], moment())

    def made() -> bytes:
        """The message's bytes, its boundaries and date aside."""
        text = bytes(channels.email_message(outgoing, "Clinic <clinic@example.com>"))
        return re.sub(rb"^Date: .*$", b"", re.sub(rb"={15}\d+==", b"", text), flags=re.MULTILINE)

    ours = made()
    monkeypatch.setattr(channels, "POLICY", policy.default)
    assert ours == made() and b"Subject: " in ours
