"""Freed times offered to the waitlist through the services, on both databases: the opening each change writes,
whom the worker's turn offers it to, expiry passed on, a time booked meanwhile, the minimum notice, a pair."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.models import Appointment, Notification, NotificationKind, StaffUser
from booking.models.waitlist import OfferStatus, OpeningCause, OpeningStatus, WaitlistOffer, WaitlistOpening
from booking.services.visits import BookingRequest, PatientDetails, book, cancel, reschedule
from booking.services.waitlist import links, offering
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, local, small_clinic
from tests.waitlist.waiting import waiting

NOW = local(2026, 11, 30, 8)  # a Monday morning
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00
LATER = timedelta(minutes=31)  # past a default claim window


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """A service and two therapists of each kind (08:00-20:00 every day), a screening of each kind."""
    return small_clinic()


def booked_massage(clinic: Clinic, starts_at: datetime = TEN) -> Appointment:
    """A massage booked through the service with the first massage therapist."""
    request = BookingRequest(screening_id=str(clinic.screenings["massage"].id), service_code=clinic.massage.code,
                             therapist_id=clinic.massage_therapists[0].id, starts_at=starts_at,
                             patient=PatientDetails(name="Alex Morgan", email="alex@example.com", phone="403-555-0101"))
    return book(request, now=NOW - timedelta(days=7)).appointment


def freed_massage(clinic: Clinic, starts_at: datetime = TEN, by_staff: StaffUser | None = None) -> WaitlistOpening:
    """The opening of a massage booked and then cancelled (by the patient, or by staff)."""
    cancel(booked_massage(clinic, starts_at), now=NOW, by_staff=by_staff)
    return db.session.scalars(select(WaitlistOpening)).one()


def offers() -> list[WaitlistOffer]:
    """Every offer, in the order they were made."""
    return list(db.session.scalars(select(WaitlistOffer).order_by(WaitlistOffer.offered_at)))


def test_a_cancellation_writes_one_opening_of_its_time_with_its_buffer(clinic: Clinic) -> None:
    visit = booked_massage(clinic)
    cancel(visit, now=NOW)
    [opening] = db.session.scalars(select(WaitlistOpening))
    assert opening.key == f"cancellation:{visit.id}:v1"
    assert (opening.therapist_id, opening.starts_at, opening.ends_at) == (
        clinic.massage_therapists[0].id, TEN, TEN + timedelta(minutes=75))
    assert opening.cause == OpeningCause.CANCELLATION and opening.status == OpeningStatus.OPEN
    assert opening.relayed_at == NOW


def test_a_move_opens_its_old_time_but_not_one_it_still_holds(clinic: Clinic) -> None:
    visit = booked_massage(clinic)
    reschedule(visit, TEN + timedelta(minutes=30), now=NOW)
    assert not db.session.scalars(select(WaitlistOpening)).all()
    reschedule(visit, TEN + timedelta(days=1), now=NOW)
    [opening] = db.session.scalars(select(WaitlistOpening))
    assert opening.cause == OpeningCause.MOVE and opening.starts_at == TEN + timedelta(minutes=30)


def test_the_turn_offers_the_time_to_the_longest_waiting_entry_once_with_its_email(clinic: Clinic) -> None:
    later = waiting(clinic, NOW - timedelta(days=1))
    first = waiting(clinic, NOW - timedelta(days=5))
    waiting(clinic, NOW - timedelta(days=9), kind="physiotherapy")  # another therapy: never offered a massage
    opening = freed_massage(clinic)
    [notice] = offering.advance(opening.id, now=NOW)
    [offer] = offers()
    assert offer.entry_id == first.id and offer.expires_at == NOW + timedelta(minutes=30)
    assert notice.kind == NotificationKind.WAITLIST_OFFER and notice.waitlist_offer_id == offer.id
    assert links.find_offer(links.offer_token(offer)) == offer and links.find_offer("guess") is None
    assert offering.advance(opening.id, now=NOW + timedelta(minutes=1)) == []  # one live offer at once
    assert [offer.entry_id for offer in offers()] == [first.id] and later.id != first.id


def test_an_expired_offer_passes_to_the_next_entry_and_the_opening_ends_unfilled_when_none_is_left(
        clinic: Clinic) -> None:
    first = waiting(clinic, NOW - timedelta(days=5))
    second = waiting(clinic, NOW - timedelta(days=1))
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    offering.advance(opening.id, now=NOW + LATER)
    assert [(offer.entry_id, offer.status) for offer in offers()] == [
        (first.id, OfferStatus.EXPIRED), (second.id, OfferStatus.OFFERED)]
    assert offering.advance(opening.id, now=NOW + 2 * LATER) == []
    assert [offer.status for offer in offers()] == [OfferStatus.EXPIRED, OfferStatus.EXPIRED]
    assert opening.status == OpeningStatus.UNFILLED and opening.closed_at == NOW + 2 * LATER


def test_the_clinic_may_offer_a_time_to_several_at_once(clinic: Clinic) -> None:
    clinic_settings().waitlist_offers_at_once = 2
    db.session.commit()
    entries = [waiting(clinic, NOW - timedelta(days=days)) for days in (3, 2, 1)]
    opening = freed_massage(clinic)
    assert len(offering.advance(opening.id, now=NOW)) == 2
    assert [offer.entry_id for offer in offers()] == [entries[0].id, entries[1].id]


def test_a_time_booked_meanwhile_is_offered_to_nobody_and_its_live_offers_are_taken(clinic: Clinic) -> None:
    waiting(clinic, NOW - timedelta(days=5))
    waiting(clinic, NOW - timedelta(days=4))
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0], starts_at=TEN)
    assert offering.advance(opening.id, now=NOW + timedelta(minutes=1)) == []
    assert opening.status == OpeningStatus.TAKEN
    assert [offer.status for offer in offers()] == [OfferStatus.TAKEN]


def test_a_time_inside_the_minimum_notice_is_never_offered(clinic: Clinic) -> None:
    waiting(clinic, NOW - timedelta(days=5))
    # An hour away (the notice is two), cancelled by an admin: patients cannot inside the cut-off.
    opening = freed_massage(clinic, local(2026, 11, 30, 9), StaffUserFactory(admin=True))
    assert offering.advance(opening.id, now=NOW) == []
    assert offers() == [] and opening.status == OpeningStatus.UNFILLED


def test_only_entries_whose_days_parts_and_therapist_suit_the_time_are_offered_it(clinic: Clinic) -> None:
    waiting(clinic, NOW - timedelta(days=9), days=frozenset({0, 1}))  # Wednesday does not suit
    waiting(clinic, NOW - timedelta(days=8), parts=("afternoon", "evening"))  # 10:00 does not
    waiting(clinic, NOW - timedelta(days=7), therapist=clinic.massage_therapists[1])  # another therapist
    fits = waiting(clinic, NOW - timedelta(days=1), therapist=clinic.massage_therapists[0])
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    assert [offer.entry_id for offer in offers()] == [fits.id]


def test_a_pair_is_offered_with_a_physiotherapist_free_as_the_massage_ends_and_not_without_one(
        clinic: Clinic) -> None:
    pair = waiting(clinic, NOW - timedelta(days=5), pair=True)
    single = waiting(clinic, NOW - timedelta(days=1))
    after = TEN + clinic.massage.duration
    for physiotherapist in clinic.physiotherapists[1:]:
        AppointmentFactory(service=clinic.physio, therapist=physiotherapist, starts_at=after)
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    [offer] = offers()
    assert offer.entry_id == pair.id and offer.pair_therapist_id == clinic.physiotherapists[0].id
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0], starts_at=after)
    offering.withdraw(pair, now=NOW)
    offering.advance(opening.id, now=NOW + timedelta(minutes=1))
    assert [(offer.entry_id, offer.status) for offer in offers()] == [
        (pair.id, OfferStatus.WITHDRAWN), (single.id, OfferStatus.OFFERED)]


def test_withdrawn_offers_send_their_opening_to_the_next_sweep(clinic: Clinic) -> None:
    entry = waiting(clinic, NOW - timedelta(days=5))
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    assert offering.sweep(now=NOW + timedelta(minutes=5)) == 0  # a live offer: nothing to do
    offering.withdraw(entry, now=NOW + timedelta(minutes=5))
    db.session.commit()
    assert offers()[0].status == OfferStatus.WITHDRAWN
    assert offering.sweep(now=NOW + timedelta(minutes=5)) == 1
    assert opening.relayed_at == NOW + timedelta(minutes=5)


def test_the_sweep_hands_over_what_was_never_handed_over_and_what_a_lease_left_alone(clinic: Clinic) -> None:
    opening = freed_massage(clinic)
    assert offering.sweep(now=NOW) == 0  # just handed over by the cancellation
    opening.relayed_at = None
    db.session.commit()
    assert offering.sweep(now=NOW) == 1 and offering.sweep(now=NOW) == 0
    assert offering.sweep(now=NOW + timedelta(minutes=3)) == 1  # past the lease: its task may be lost


def test_a_closed_or_unknown_opening_is_left_alone(clinic: Clinic) -> None:
    waiting(clinic, NOW - timedelta(days=5))
    opening = freed_massage(clinic)
    opening.status = OpeningStatus.FILLED
    db.session.commit()
    assert offering.advance(opening.id, now=NOW) == [] and offering.advance(10**9, now=NOW) == []
    assert offers() == [] and not db.session.scalars(select(Notification).where(
        Notification.kind == NotificationKind.WAITLIST_OFFER)).all()


def test_a_patient_holding_one_offer_is_not_offered_another_time_meanwhile(clinic: Clinic) -> None:
    first = waiting(clinic, NOW - timedelta(days=5))
    second = waiting(clinic, NOW - timedelta(days=1))
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    cancel(booked_massage(clinic, TEN + timedelta(hours=2)), now=NOW)
    other = db.session.scalars(select(WaitlistOpening).where(WaitlistOpening.id != opening.id)).one()
    offering.advance(other.id, now=NOW)
    assert [(offer.opening_id, offer.entry_id) for offer in offers()] == [(opening.id, first.id),
                                                                         (other.id, second.id)]
