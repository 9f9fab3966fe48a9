"""Freed times offered to the waitlist by a real worker over a real Redis to a real SMTP server: a cancellation
offered once with its claim link, an expired offer passed on, a broker outage at the moment of cancellation, and
a time booked meanwhile offered to nobody."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import OfferStatus, OpeningStatus, WaitlistEntry, WaitlistOffer, WaitlistOpening
from booking.services.waitlist import links
from tests.factories import Clinic
from tests.smtp import Sink
from tests.waitlist.waiting import waiting
from tests.worker.conftest import reset
from tests.worker.journeys import book, by_message_id, change, text_of, visit_at
from tests.worker.processes import Launcher, Process, Stack, eventually, throwaway_stack

OFFER = "A time has opened for you"


def offers_to(sink: Sink, entry: WaitlistEntry) -> list[Any]:
    """The offer emails the SMTP server accepted for the entry's patient."""
    return [message for message in sink.to(entry.patient.email) if message["Subject"].startswith(OFFER)]


def claim_link(message: Any) -> str:
    """The claim link an offer email carries."""
    found = re.search(r"http://localhost/waitlist/offers/\S+", text_of(message))
    assert found, text_of(message)
    return found.group(0)


def offer_rows() -> list[WaitlistOffer]:
    """Every offer as stored now, in the order they were made."""
    db.session.rollback()
    return list(db.session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.offered_at)))


def cancelled_massage(client: FlaskClient, clinic: Clinic, days: int = 3) -> dict[str, Any]:
    """A massage booked and then cancelled through the API (its patient is not on the list)."""
    visit = book(client, clinic, visit_at(days=days, hour=10), kind="massage")
    return change(client, visit, "cancel")


def test_a_cancellation_is_offered_to_the_first_waiting_patient_once_with_the_claim_link(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process) -> None:
    first = waiting(clinic, moment() - timedelta(days=2))
    second = waiting(clinic, moment() - timedelta(days=1))
    cancelled_massage(client, clinic)
    sink = stack.smtp.sink
    [offer_mail] = eventually(lambda: offers_to(sink, first), 30, "the offer to the first waiting patient")
    [offer] = offer_rows()
    assert claim_link(offer_mail) == links.offer_url(offer) and offer.entry_id == first.id
    assert clinic.massage.name in text_of(offer_mail) and clinic.massage_therapists[0].name in text_of(offer_mail)
    time.sleep(2)
    assert len(offers_to(sink, first)) == 1 and offers_to(sink, second) == []
    assert set(by_message_id(sink).values()) == {1}


def test_an_expired_offer_is_passed_on_to_the_next_waiting_patient(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher) -> None:
    first = waiting(clinic, moment() - timedelta(days=2))
    second = waiting(clinic, moment() - timedelta(days=1))
    launch.beat()
    cancelled_massage(client, clinic)
    sink = stack.smtp.sink
    eventually(lambda: offers_to(sink, first), 30, "the offer to the first waiting patient")
    db.session.execute(update(WaitlistOffer).values(expires_at=moment() - timedelta(seconds=1)))  # its window passed
    db.session.commit()
    [passed_on] = eventually(lambda: offers_to(sink, second), 30, "the offer passed on to the second")
    assert [(row.entry_id, row.status) for row in offer_rows()] == [
        (first.id, OfferStatus.EXPIRED), (second.id, OfferStatus.OFFERED)]
    assert claim_link(passed_on) == links.offer_url(offer_rows()[1])
    time.sleep(2)
    assert len(offers_to(sink, first)) == 1 and len(offers_to(sink, second)) == 1


@pytest.fixture
def outage(database: str, tmp_path: Path) -> Iterator[Stack]:
    """A redis-server of this test's own, not started yet (the broker is down), and an SMTP server of its own."""
    with throwaway_stack(database, tmp_path, "waitlist") as stack:
        yield stack


@pytest.fixture
def stack(request: pytest.FixtureRequest, shared_stack: Stack) -> Stack:
    """The shared stack, or for the tests that ask for ``outage`` a throwaway broker that is down at first."""
    if "outage" in request.fixturenames:
        return request.getfixturevalue("outage")
    reset(shared_stack.smtp.sink)
    return shared_stack


def test_a_cancellation_while_the_broker_is_down_is_offered_once_it_is_back(
        outage: Stack, app: Flask, client: FlaskClient, clinic: Clinic, launch: Launcher) -> None:
    entry = waiting(clinic, moment() - timedelta(days=2))
    visit = book(client, clinic, visit_at(days=3, hour=10), kind="massage")
    started = time.monotonic()
    change(client, visit, "cancel")
    assert time.monotonic() - started < 3
    db.session.rollback()
    [opening] = db.session.scalars(select(WaitlistOpening))
    assert opening.relayed_at is None and offer_rows() == []  # waiting for the sweep
    outage.broker.start()
    launch.worker()
    launch.beat()
    [offer_mail] = eventually(lambda: offers_to(outage.smtp.sink, entry), 30, "the offer, once the broker is back")
    assert claim_link(offer_mail) == links.offer_url(offer_rows()[0])
    time.sleep(2)
    assert len(offers_to(outage.smtp.sink, entry)) == 1


def test_a_time_booked_meanwhile_is_offered_to_nobody(
        outage: Stack, app: Flask, client: FlaskClient, clinic: Clinic, launch: Launcher) -> None:
    entry = waiting(clinic, moment() - timedelta(days=2))
    visit = book(client, clinic, visit_at(days=3, hour=10), kind="massage")
    change(client, visit, "cancel")  # the opening waits: the broker is down
    book(client, clinic, visit_at(days=3, hour=10), kind="massage", email="sam@example.com")  # booked meanwhile

    def closed() -> WaitlistOpening | None:
        db.session.rollback()
        opening = db.session.scalars(select(WaitlistOpening)).one()
        return opening if opening.status != OpeningStatus.OPEN else None

    outage.broker.start()
    launch.worker()
    launch.beat()
    assert eventually(closed, 30, "the opening closed").status == OpeningStatus.TAKEN  # type: ignore[attr-defined]
    time.sleep(1)
    assert offer_rows() == [] and offers_to(outage.smtp.sink, entry) == []
