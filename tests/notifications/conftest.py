"""A small clinic on a frozen clock, a real SMTP server, and helpers to book and deliver."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Notification
from booking.notifications import delivery
from booking.services.visits import BookingRequest, PatientDetails, book
from tests.factories import Clinic, local, small_clinic
from tests.smtp import SmtpServer

NOW = local(2026, 11, 30, 8)  # Monday 08:00 in Calgary
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00
ALEX = PatientDetails(name="Alex Morgan", email="alex@example.com", phone="403-555-0101")


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock, frozen at NOW; ``clock.move_to(...)`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(app: Flask, clock: time_machine.Coordinates) -> Clinic:
    """Two therapists of each kind, 08:00-20:00 every day, with email addresses."""
    return small_clinic()


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server the app sends to."""
    with SmtpServer() as server:
        app.config.update(server.settings())
        yield server


def book_visit(clinic: Clinic, starts_at: datetime = TEN, *, kind: str = "physiotherapy",
               patient: PatientDetails = ALEX) -> object:
    """Book a visit with the clinic's first therapist of that kind; the appointment."""
    service = clinic.physio if kind == "physiotherapy" else clinic.massage
    therapists = clinic.physiotherapists if kind == "physiotherapy" else clinic.massage_therapists
    return book(BookingRequest(screening_id=str(clinic.screenings[kind].id), service_code=service.code,
                               therapist_id=therapists[0].id, starts_at=starts_at, patient=patient)).appointment


def notifications(**where: object) -> list[Notification]:
    """The stored notifications (with these column values), oldest first."""
    db.session.expire_all()
    query = select(Notification).filter_by(**where).order_by(Notification.due_at, Notification.id)
    return list(db.session.scalars(query))


def deliver_due() -> list[str]:
    """Deliver every due notification in this process, as a worker would; the outcomes."""
    return [delivery.deliver(notification.id) for notification in notifications()
            if delivery.claimable(notification, moment())]
