"""Claiming an offered time: the first valid claim books it, the rest are told it was taken; pairs whole."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Notification, NotificationKind
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningStatus, WaitlistEntry, WaitlistOffer
from booking.services.waitlist import claims
from booking.services.waitlist.claims import Claimed, NotClaimed, claim
from tests.factories import AppointmentFactory, Clinic, local
from tests.together import at_once
from tests.waitlist.claims.rows import Offered, offered, waiting

NOW = local(2026, 11, 30, 8)  # a Monday morning
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00


def booked_visits() -> list[Appointment]:
    """Every booked visit, in order of their start."""
    return list(db.session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
                                   .order_by(Appointment.starts_at)))


def single(clinic: Clinic, people: int = 1, *, minutes: int = 30) -> Offered:
    """Physiotherapist 0's 10:00 on Wednesday offered to ``people`` waiting patients."""
    entries = [waiting(clinic.screenings["physiotherapy"], clinic.physio, joined_at=NOW - timedelta(days=people - n))
               for n in range(people)]
    return offered(clinic.physiotherapists[0], clinic.physio, TEN, entries, now=NOW, minutes=minutes)


def test_a_claim_books_the_time_for_the_waiting_patient_and_closes_the_opening(clinic: Clinic) -> None:
    made = single(clinic, 3)
    first = made.offers[0]

    result = claim(first, now=NOW + timedelta(minutes=5))

    assert isinstance(result, Claimed)
    [visit] = booked_visits()
    assert (visit.therapist_id, visit.service_id, visit.starts_at) == (
        clinic.physiotherapists[0].id, clinic.physio.id, TEN)
    assert visit.patient_id == first.entry.patient_id and visit.screening_id == first.entry.screening_id
    assert result.booked[0].appointment.id == visit.id
    assert (first.status, first.appointment_id) == (OfferStatus.CLAIMED, visit.id)
    assert (first.entry.status, first.entry.appointment_id) == (EntryStatus.BOOKED, visit.id)
    opening = made.opening
    assert (opening.status, opening.filled_entry_id, opening.closed_at) == (
        OpeningStatus.FILLED, first.entry_id, NOW + timedelta(minutes=5))
    assert [db.session.get(WaitlistOffer, offer.id).status for offer in made.offers[1:]] == [OfferStatus.TAKEN] * 2
    confirmation = db.session.scalar(select(Notification).where(Notification.appointment_id == visit.id,
                                                                Notification.kind == NotificationKind.CONFIRMATION))
    assert confirmation is not None  # the patient hears of it as of any booking


def test_a_claim_after_the_first_is_told_taken_and_stays_on_the_list(clinic: Clinic) -> None:
    made = single(clinic, 2)
    assert isinstance(claim(made.offers[0], now=NOW), Claimed)

    assert claim(made.offers[1], now=NOW + timedelta(minutes=1)) == NotClaimed(claims.TAKEN)

    assert len(booked_visits()) == 1
    assert made.offers[1].entry.status == EntryStatus.WAITING


def test_claiming_twice_books_once(clinic: Clinic) -> None:
    made = single(clinic)
    assert isinstance(claim(made.offers[0], now=NOW), Claimed)

    assert claim(made.offers[0], now=NOW) == NotClaimed(claims.TAKEN)
    assert len(booked_visits()) == 1


def test_an_expired_offer_books_nothing(clinic: Clinic) -> None:
    made = single(clinic, minutes=30)

    assert claim(made.offers[0], now=NOW + timedelta(minutes=30)) == NotClaimed(claims.EXPIRED)

    assert booked_visits() == []
    assert (made.offers[0].entry.status, made.opening.status) == (EntryStatus.WAITING, OpeningStatus.OPEN)


def test_an_offer_to_someone_who_left_the_list_books_nothing(clinic: Clinic) -> None:
    made = single(clinic)
    made.offers[0].entry.status = EntryStatus.LEFT
    made.offers[0].status = OfferStatus.WITHDRAWN
    db.session.commit()

    assert claim(made.offers[0], now=NOW) == NotClaimed(claims.LEFT)
    assert booked_visits() == []


def test_a_time_booked_meanwhile_is_taken_and_the_entry_keeps_waiting(clinic: Clinic) -> None:
    made = single(clinic)
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0], starts_at=TEN,
                       screening=clinic.screenings["physiotherapy"])

    assert claim(made.offers[0], now=NOW) == NotClaimed(claims.TAKEN)

    assert len(booked_visits()) == 1
    offer = db.session.get(WaitlistOffer, made.offers[0].id)
    assert (offer.status, offer.entry.status) == (OfferStatus.TAKEN, EntryStatus.WAITING)
    assert claim(offer, now=NOW) == NotClaimed(claims.TAKEN)  # and its link says so from now on


def pair(clinic: Clinic) -> Offered:
    """Massage therapist 0's 10:00 on Wednesday offered to a patient waiting for a massage then physiotherapy
    with physiotherapist 1."""
    entry = waiting(clinic.screenings["combined"], clinic.massage, pair_service=clinic.physio,
                    joined_at=NOW - timedelta(days=3))
    return offered(clinic.massage_therapists[0], clinic.massage, TEN, [entry], now=NOW,
                   pair_therapist=clinic.physiotherapists[1])


def test_a_pair_is_claimed_whole_massage_then_physiotherapy(clinic: Clinic) -> None:
    made = pair(clinic)

    result = claim(made.offers[0], now=NOW)

    assert isinstance(result, Claimed)
    massage, physio = booked_visits()
    assert (massage.therapist_id, massage.service_id, massage.starts_at) == (
        clinic.massage_therapists[0].id, clinic.massage.id, TEN)
    assert (physio.therapist_id, physio.service_id, physio.starts_at) == (
        clinic.physiotherapists[1].id, clinic.physio.id, massage.ends_at)
    assert massage.patient_id == physio.patient_id == made.offers[0].entry.patient_id
    assert made.offers[0].entry.appointment_id == massage.id


def test_a_pair_whose_physiotherapy_was_taken_books_neither_visit(clinic: Clinic) -> None:
    made = pair(clinic)
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[1], starts_at=TEN + timedelta(hours=1),
                       screening=clinic.screenings["physiotherapy"])

    assert claim(made.offers[0], now=NOW) == NotClaimed(claims.TAKEN)

    assert [visit.therapist_id for visit in booked_visits()] == [clinic.physiotherapists[1].id]
    assert db.session.get(WaitlistEntry, made.offers[0].entry_id).status == EntryStatus.WAITING


@pytest.mark.commits
def test_twenty_claims_at_once_book_one_visit_and_tell_the_rest_it_was_taken(app: Flask, clinic: Clinic) -> None:
    made = single(clinic, 20)
    offer_ids = [offer.id for offer in made.offers]

    def send(offer_id: object) -> Claimed | NotClaimed:
        with app.app_context():
            try:
                return claim(db.session.get_one(WaitlistOffer, offer_id), now=NOW + timedelta(minutes=1))
            finally:
                db.session.remove()

    results = at_once([lambda offer_id=offer_id: send(offer_id) for offer_id in offer_ids])

    claimed = [result for result in results if isinstance(result, Claimed)]
    assert len(claimed) == 1
    assert sorted(result.reason for result in results if isinstance(result, NotClaimed)) == [claims.TAKEN] * 19
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    winner = claimed[0].offer.id
    statuses = dict(db.session.execute(select(WaitlistOffer.id, WaitlistOffer.status)).all())
    assert statuses.pop(winner) == OfferStatus.CLAIMED
    assert set(statuses.values()) == {OfferStatus.TAKEN}
    waiting_left = db.session.scalar(select(func.count()).select_from(WaitlistEntry)
                                     .where(WaitlistEntry.status == EntryStatus.WAITING))
    assert waiting_left == 19
