"""A freed time offered by a real worker and claimed from the email's link: the booking, a pair whole, a race.

A patient cancels through the API; the real worker offers the time (the waitlist's email over the real SMTP
server); the waitlister follows the email's claim link and books; the booking's own confirmation arrives.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, ClinicSettings
from booking.models.base import utcnow
from booking.models.waitlist import OpeningStatus, WaitlistEntry, WaitlistOpening
from tests.factories import Clinic
from tests.together import at_once
from tests.waitlist.claims.rows import waiting
from tests.worker.journeys import book, change, subjects, text_of, visit_at
from tests.worker.processes import Process, Stack, eventually

CLAIM_LINK = re.compile(r"https?://\S+(/waitlist/offers/[\w-]+)")


def claim_path(stack: Stack, address: str) -> str:
    """The claim link's path in the offer email the worker sent to ``address`` (waiting for it)."""
    [offer] = eventually(lambda: [message for message in stack.smtp.sink.to(address)
                                  if "waitlist" in text_of(message)], 30, f"the offer to {address}")
    found = CLAIM_LINK.search(text_of(offer))
    assert found is not None, text_of(offer)
    return found.group(1)


def booked_visits() -> list[Appointment]:
    """The live visits, in order of their start."""
    db.session.expire_all()
    return list(db.session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
                                   .order_by(Appointment.starts_at)))


def test_a_cancelled_time_is_offered_by_email_and_claimed_from_its_link(
        client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process) -> None:
    starts_at = visit_at(days=3, hour=10)
    visit = book(client, clinic, starts_at)
    entry = waiting(clinic.screenings["physiotherapy"], clinic.physio, joined_at=utcnow() - timedelta(days=2),
                    email="robin@example.com")
    db.session.commit()

    change(client, visit, "cancel")
    path = claim_path(stack, "robin@example.com")
    assert client.get(path).status_code == 200
    response = client.post(path)

    assert response.status_code == 303 and "/book/confirmed/" in response.location
    [claimed] = booked_visits()
    assert (claimed.starts_at, claimed.therapist_id, claimed.patient_id) == (
        starts_at, clinic.physiotherapists[0].id, entry.patient_id)
    eventually(lambda: "Your visit is booked" in subjects(stack.smtp.sink, "robin@example.com"), 30,
               "the waitlister's confirmation")
    opening = db.session.scalars(select(WaitlistOpening)).one()
    assert (opening.status, opening.filled_entry_id) == (OpeningStatus.FILLED, entry.id)


def test_a_cancelled_massage_is_claimed_as_a_whole_pair(client: FlaskClient, clinic: Clinic, stack: Stack,
                                                        worker: Process) -> None:
    starts_at = visit_at(days=3, hour=10)
    visit = book(client, clinic, starts_at, kind="massage")
    waiting(clinic.screenings["combined"], clinic.massage, pair_service=clinic.physio,
            joined_at=utcnow() - timedelta(days=2), email="sam@example.com")
    db.session.commit()

    change(client, visit, "cancel")
    response = client.post(claim_path(stack, "sam@example.com"))

    assert response.status_code == 303 and "/book/pair/" in response.location
    massage, physio = booked_visits()
    assert (massage.starts_at, massage.service_id) == (starts_at, clinic.massage.id)
    assert (physio.starts_at, physio.service_id, physio.patient_id) == (
        massage.ends_at, clinic.physio.id, massage.patient_id)
    eventually(lambda: "Your visits are booked" in subjects(stack.smtp.sink, "sam@example.com"), 30,
               "the pair's one confirmation")


def test_three_waitlisters_claiming_at_once_get_one_booking_and_two_kind_answers(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process) -> None:
    db.session.scalars(select(ClinicSettings)).one().waitlist_offers_at_once = 3
    starts_at = visit_at(days=3, hour=10)
    visit = book(client, clinic, starts_at)
    addresses = [f"waiting{n}@example.com" for n in range(3)]
    for n, address in enumerate(addresses):
        waiting(clinic.screenings["physiotherapy"], clinic.physio, joined_at=utcnow() - timedelta(days=n + 1),
                email=address)
    db.session.commit()

    change(client, visit, "cancel")
    paths = [claim_path(stack, address) for address in addresses]
    answers = at_once([lambda path=path: app.test_client().post(path, follow_redirects=True) for path in paths])

    pages = [answer.get_data(as_text=True) for answer in answers]
    assert [answer.status_code for answer in answers] == [200] * 3
    assert sum("Your visit is booked" in page for page in pages) == 1
    assert sum("Someone else just booked this time" in page for page in pages) == 2
    assert len(booked_visits()) == 1
    statuses = sorted(db.session.scalars(select(WaitlistEntry.status)))
    assert statuses == ["booked", "waiting", "waiting"]
