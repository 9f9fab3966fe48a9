"""Freed times offered to patients without email, whom the front desk phones, on both databases: offered in the
priority order with no email, listed to call, booked for the caller through the claim (audited), passed on at once
when not wanted or unanswered, and passed on like any offer when its hold ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, Notification, NotificationKind, StaffUser
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningStatus
from booking.policy import Refused
from booking.services.front_desk import today_page
from booking.services.waitlist import calls, offering, openings
from booking.services.waitlist.calls import Call
from booking.services.waitlist.claims import EXPIRED, Claimed
from tests.factories import Clinic, PatientFactory, StaffUserFactory, small_clinic
from tests.notifications.test_handing_over import published
from tests.waitlist.services.test_offering import LATER, NOW, TEN, freed_massage, offers
from tests.waitlist.waiting import waiting

SOON = NOW + timedelta(minutes=5)  # the desk calls while the time is held


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """A service and two therapists of each kind (08:00-20:00 every day), a screening of each kind."""
    return small_clinic()


@pytest.fixture
def admin(clinic: Clinic) -> StaffUser:
    """The admin at the desk."""
    return StaffUserFactory(admin=True)


def offer_emails() -> list[Notification]:
    """Every waitlist offer email written."""
    return list(db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.WAITLIST_OFFER)))


def audited(action: str) -> list[tuple[int | None, str, str | None]]:
    """The audit rows of this action: who, about which entry, and the detail."""
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(AuditEvent.actor_id, AuditEvent.subject_id, AuditEvent.detail).where(AuditEvent.action == action))]


def the_call(admin: StaffUser) -> Call:
    """The one call to make now."""
    [call] = calls.to_call(admin, now=SOON)
    return call


def test_a_caller_without_email_is_offered_the_time_in_turn_without_an_email_and_listed_to_call(
        clinic: Clinic, admin: StaffUser) -> None:
    caller = waiting(clinic, NOW - timedelta(days=5), patient=PatientFactory(email=None, name="Sam Phone"))
    emailed = waiting(clinic, NOW - timedelta(days=1))
    opening = freed_massage(clinic)
    assert offering.advance(opening.id, now=NOW) == []
    [offer] = offers()
    assert (offer.entry_id, offer.status, offer.expires_at) == (caller.id, OfferStatus.OFFERED, NOW + timedelta(minutes=30))
    assert offer_emails() == []
    call = the_call(admin)
    assert call.offer == offer and call.patient.phone == "+14035550142"
    assert [(visit.service, visit.therapist, visit.starts_at) for visit in call.visits] == [
        (clinic.massage, clinic.massage_therapists[0], TEN)]
    assert today_page(admin, now=SOON).calls == [call]
    assert calls.to_call(admin, now=NOW + LATER) == []  # its hold is over: no longer to call
    offering.advance(opening.id, now=NOW + LATER)  # and it passes on as an emailed offer does
    assert [(row.entry_id, row.status) for row in offers()] == [
        (caller.id, OfferStatus.EXPIRED), (emailed.id, OfferStatus.OFFERED)]
    assert [notice.waitlist_offer_id for notice in offer_emails()] == [offers()[1].id]


def test_calls_are_the_clinic_runners_and_only_for_patients_without_email(clinic: Clinic, admin: StaffUser) -> None:
    emailed = waiting(clinic, NOW - timedelta(days=1))
    offering.advance(freed_massage(clinic).id, now=NOW)
    [offer] = offers()
    assert offer.entry_id == emailed.id and calls.to_call(admin, now=SOON) == []
    assert calls.find_call(admin, offer.id) is None  # claimed through its emailed link, not by the desk
    with pytest.raises(Refused):
        calls.to_call(StaffUserFactory(), now=SOON)


def test_booking_it_for_the_caller_books_through_the_claim_and_is_audited(clinic: Clinic, admin: StaffUser) -> None:
    caller = waiting(clinic, NOW - timedelta(days=5), patient=PatientFactory(email=None))
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    result = calls.book_for_caller(the_call(admin), by_staff=admin, now=SOON)
    assert isinstance(result, Claimed)
    visit = db.session.get_one(Appointment, result.booked[0].appointment.id)
    assert (visit.patient_id, visit.therapist_id, visit.starts_at, visit.service_id) == (
        caller.patient_id, clinic.massage_therapists[0].id, TEN, clinic.massage.id)
    [offer] = offers()
    assert offer.status == OfferStatus.CLAIMED and offer.appointment_id == visit.id
    assert caller.status == EntryStatus.BOOKED and opening.status == OpeningStatus.FILLED
    assert audited("booked") == [(admin.id, str(visit.id), None)]
    assert audited("claimed") == [(admin.id, str(caller.id), "booked for the caller by the front desk")]
    assert calls.to_call(admin, now=SOON) == []


def test_not_wanted_or_no_answer_passes_the_time_on_to_the_next_entry_at_once(app: Flask, clinic: Clinic,
                                                                             admin: StaffUser) -> None:
    caller = waiting(clinic, NOW - timedelta(days=5), patient=PatientFactory(email=None))
    emailed = waiting(clinic, NOW - timedelta(days=1))
    opening = freed_massage(clinic)
    offering.advance(opening.id, now=NOW)
    handed = published(app).count((openings.ADVANCE_TASK, [opening.id]))
    call = the_call(admin)
    assert calls.not_wanted(call, by_staff=admin, now=SOON) is None
    assert (call.offer.status, call.offer.answered_at) == (OfferStatus.EXPIRED, SOON)
    assert caller.status == EntryStatus.WAITING  # they keep their place for another time
    [(actor, subject, detail)] = audited("declined")
    assert (actor, subject) == (admin.id, str(caller.id)) and "not wanted or no answer" in (detail or "")
    assert published(app).count((openings.ADVANCE_TASK, [opening.id])) == handed + 1  # handed to the worker now
    offering.advance(opening.id, now=SOON)  # what the worker does with it
    assert [(row.entry_id, row.status) for row in offers()] == [
        (caller.id, OfferStatus.EXPIRED), (emailed.id, OfferStatus.OFFERED)]
    assert len(offer_emails()) == 1
    assert calls.not_wanted(call, by_staff=admin, now=SOON) == EXPIRED  # recorded once: nothing changes again
    assert len(audited("declined")) == 1
