"""What the worker tests do as a patient would (book, cancel, move a visit through the web app) and count."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from booking.models.base import utcnow
from tests.api.test_appointments_api import URL, bearer, booking
from tests.factories import CLINIC_ZONE, Clinic
from tests.smtp import Sink
from tests.worker.processes import eventually

PATIENT = "alex@example.com"
RELAY_TASK = "notifications.relay"


def visit_at(days: int, hour: int) -> datetime:
    """A wall-clock time of the clinic ``days`` after today (by the real clock)."""
    today = utcnow().astimezone(CLINIC_ZONE).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, tzinfo=CLINIC_ZONE)


def book(client: FlaskClient, clinic: Clinic, starts_at: datetime, **details: Any) -> dict[str, Any]:
    """Book a visit through the API; the created visit (with its manage token)."""
    response = client.post(URL, json=booking(clinic, starts_at=starts_at.isoformat(), **details))
    assert response.status_code == 201, response.json
    return response.json


def change(client: FlaskClient, visit: dict[str, Any], action: str, **body: Any) -> dict[str, Any]:
    """Cancel or reschedule a visit through the API with its manage token."""
    response = client.post(f"{URL}/{visit['id']}/{action}", json=body, headers=bearer(visit["manage_token"]))
    assert response.status_code == 200, response.json
    return response.json


def book_then_move(client: FlaskClient, clinic: Clinic, sink: Sink, first_time: datetime, new_time: datetime) -> None:
    """Book a visit, move it once its confirmation arrived, and wait for the notice of the move."""
    visit = book(client, clinic, first_time)
    eventually(lambda: sink.to(PATIENT), 30, "the confirmation")
    change(client, visit, "reschedule", starts_at=new_time.isoformat())
    eventually(lambda: len(sink.to(PATIENT)) == 2, 30, "the reschedule notice")


def relay(app: Flask, times: int = 1, *, queue: str | None = None) -> None:
    """Ask the workers (of the app's queue, or of ``queue``) to run the relay, ``times`` times."""
    for _ in range(times):
        app.extensions["celery"].send_task(RELAY_TASK, queue=queue)


def by_message_id(sink: Sink) -> Counter[str]:
    """How many times each Message-ID was accepted by the SMTP server."""
    return Counter(message["Message-ID"] for message in list(sink.messages))


def subjects(sink: Sink, address: str = PATIENT) -> list[str]:
    """The subjects (without the clinic's name) of the messages accepted for ``address``, sorted."""
    return sorted(message["Subject"].split(" – ")[0] for message in sink.to(address))


def text_of(message: EmailMessage) -> str:
    """The plain-text body of an email."""
    return message.get_body(("plain",)).get_content()
