"""Booking, cancelling and rescheduling through the service layer, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Patient
from booking.services.visits import (
    BookingRequest,
    ChangeNotAllowed,
    InvalidBooking,
    PatientDetails,
    ReferredOut,
    SlotTaken,
    availability,
    book,
    can_change,
    cancel,
    change_deadline,
    find_for_manage,
    manage_token,
    reschedule,
)
from booking.services.visits import create as booking_service
from tests.factories import AppointmentFactory, Clinic, ServiceFactory, local

NOW = local(2026, 11, 30, 8)  # a Monday morning
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00
ALEX = PatientDetails(name="Alex Morgan", email="Alex@Example.com", phone="403-555-0101")


def request_for(clinic: Clinic, starts_at: datetime = TEN, *, kind: str = "physiotherapy", therapist: int | None = -1,
                patient: PatientDetails = ALEX, key: str | None = None) -> BookingRequest:
    """A valid booking request (therapist -1: the clinic's first therapist of that kind)."""
    service = clinic.physio if kind == "physiotherapy" else clinic.massage
    therapists = clinic.physiotherapists if kind == "physiotherapy" else clinic.massage_therapists
    return BookingRequest(screening_id=str(clinic.screenings[kind].id), service_code=service.code,
                          therapist_id=therapists[0].id if therapist == -1 else therapist,
                          starts_at=starts_at, patient=patient, idempotency_key=key)


def count(model: type[Any]) -> int:
    """How many rows a table has."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_book_stores_times_in_utc_with_buffer_and_a_hashed_token(clinic: Clinic) -> None:
    booked = book(request_for(clinic, TEN, kind="massage"), now=NOW)
    visit = booked.appointment
    assert not booked.replayed and visit.status == AppointmentStatus.BOOKED
    assert visit.starts_at == TEN and visit.ends_at == TEN + timedelta(minutes=60)
    assert visit.blocked_until == TEN + timedelta(minutes=75)
    assert visit.manage_token_hash != booked.manage_token and len(visit.manage_token_hash) == 64
    assert manage_token(visit) == booked.manage_token
    assert find_for_manage(visit.id, booked.manage_token) is visit
    assert find_for_manage(None, booked.manage_token) is visit
    assert visit.patient.email == "alex@example.com" and visit.patient.phone == "+14035550101"


def test_find_for_manage_answers_none_on_any_mismatch(clinic: Clinic) -> None:
    first = book(request_for(clinic, TEN), now=NOW)
    second = book(request_for(clinic, TEN + timedelta(hours=2)), now=NOW)
    assert find_for_manage(first.appointment.id, second.manage_token) is None
    assert find_for_manage(first.appointment.id, "") is None
    assert find_for_manage(first.appointment.id, first.manage_token + "x") is None
    assert find_for_manage("not-a-uuid", first.manage_token) is None
    assert find_for_manage(None, "nothing") is None


def test_a_booking_with_someone_elses_email_changes_nothing_of_theirs(clinic: Clinic) -> None:
    victim = book(request_for(clinic, TEN), now=NOW)
    stranger = PatientDetails(name="Mallory Stranger", email=" ALEX@example.COM ", phone="587 555 0199")
    theirs = book(request_for(clinic, TEN + timedelta(days=1), patient=stranger), now=NOW).appointment
    mine = find_for_manage(victim.appointment.id, victim.manage_token)
    assert mine is not None
    assert (mine.patient.name, mine.patient.phone) == ("Alex Morgan", "+14035550101")
    assert theirs.patient_id != mine.patient_id
    assert (theirs.patient.name, theirs.patient.phone) == ("Mallory Stranger", "+15875550199")


@pytest.mark.parametrize(("change", "field"), [
    ({"screening_id": "not-a-uuid"}, "screening_id"),
    ({"screening_id": "00000000-0000-4000-8000-000000000000"}, "screening_id"),
    ({"service_code": "nope"}, "service"),
    ({"therapist_id": 999_999}, "therapist_id"),
    ({"starts_at": TEN.replace(tzinfo=None)}, "starts_at"),
    ({"patient": replace(ALEX, name="  ")}, "patient.name"),
    ({"patient": replace(ALEX, name="x" * 121)}, "patient.name"),
    ({"patient": replace(ALEX, email="alex@")}, "patient.email"),
    ({"patient": replace(ALEX, phone="123")}, "patient.phone"),
    ({"idempotency_key": "k" * 201}, "idempotency_key"),
])
def test_each_invalid_field_is_named(clinic: Clinic, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        book(replace(request_for(clinic), **change), now=NOW)
    assert list(caught.value.errors) == [field]
    assert count(Appointment) == 0


def test_every_invalid_field_is_named_at_once(clinic: Clinic) -> None:
    bad = BookingRequest(screening_id="x", service_code="nope", therapist_id=999_999, starts_at=TEN,
                         patient=PatientDetails(name="", email="no", phone="no"))
    with pytest.raises(InvalidBooking) as caught:
        book(bad, now=NOW)
    assert set(caught.value.errors) == {"screening_id", "service", "therapist_id", "patient.name",
                                        "patient.email", "patient.phone"}


def test_an_inactive_service_cannot_be_booked(clinic: Clinic) -> None:
    clinic.physio.active = False
    db.session.commit()
    with pytest.raises(InvalidBooking) as caught:
        book(request_for(clinic), now=NOW)
    assert "service" in caught.value.errors


def test_a_refer_out_screening_books_nothing_and_gives_its_advice(clinic: Clinic) -> None:
    request = replace(request_for(clinic), screening_id=str(clinic.screenings["refer_out"].id))
    with pytest.raises(ReferredOut) as caught:
        book(request, now=NOW)
    assert "911" in caught.value.advice and caught.value.errors["screening_id"] == caught.value.advice
    assert count(Appointment) == 0


def test_the_service_must_be_of_a_kind_the_screening_recommends(clinic: Clinic) -> None:
    request = replace(request_for(clinic), screening_id=str(clinic.screenings["massage"].id))
    with pytest.raises(InvalidBooking) as caught:
        book(request, now=NOW)
    assert list(caught.value.errors) == ["service"] and "massage therapy" in caught.value.errors["service"]


def test_a_combined_screening_books_either_kind(clinic: Clinic) -> None:
    combined = str(clinic.screenings["combined"].id)
    book(replace(request_for(clinic), screening_id=combined), now=NOW)
    book(replace(request_for(clinic, kind="massage"), screening_id=combined), now=NOW)
    assert count(Appointment) == 2


def test_the_therapist_must_give_the_service(clinic: Clinic) -> None:
    request = request_for(clinic, therapist=clinic.massage_therapists[0].id)
    with pytest.raises(InvalidBooking) as caught:
        book(request, now=NOW)
    assert list(caught.value.errors) == ["therapist_id"]


@pytest.mark.parametrize(("starts_at", "says"), [
    (local(2026, 12, 2, 3), "not open"),           # before the shift
    (local(2026, 12, 2, 19, 30), "not open"),      # the visit would end after the shift
    (local(2026, 12, 2, 10, 5), "not open"),       # off the 15-minute grid
    (local(2026, 11, 30, 9), "120 minutes"),       # less than the minimum notice
    (local(2027, 3, 30, 10), "90 days"),           # beyond the horizon
])
def test_a_time_that_is_not_open_is_refused_on_starts_at(clinic: Clinic, starts_at: datetime, says: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        book(request_for(clinic, starts_at), now=NOW)
    assert says in caught.value.errors["starts_at"]


@pytest.mark.parametrize("offset", [-45, -15, 0, 15, 45])
def test_overlapping_visits_conflict_whether_or_not_they_start_together(clinic: Clinic, offset: int) -> None:
    book(request_for(clinic, TEN), now=NOW)
    other = replace(ALEX, email="sam@example.com")
    with pytest.raises(SlotTaken) as caught:
        book(request_for(clinic, TEN + timedelta(minutes=offset), patient=other), now=NOW)
    assert caught.value.message == "That time was just taken. Please choose another time."


def test_back_to_back_visits_are_allowed_once_the_buffer_has_passed(clinic: Clinic) -> None:
    book(request_for(clinic, TEN, kind="massage"), now=NOW)  # 10:00-11:00, blocked until 11:15
    other = replace(ALEX, email="sam@example.com")
    with pytest.raises(SlotTaken):
        book(request_for(clinic, TEN + timedelta(minutes=60), kind="massage", patient=other), now=NOW)
    book(request_for(clinic, TEN + timedelta(minutes=75), kind="massage", patient=other), now=NOW)
    book(request_for(clinic, TEN - timedelta(minutes=75), kind="massage", patient=other), now=NOW)
    assert count(Appointment) == 3


def test_the_database_refuses_an_overlapping_row_but_not_an_adjacent_or_cancelled_one(clinic: Clinic) -> None:
    therapist, service = clinic.physiotherapists[0], clinic.physio
    AppointmentFactory(therapist=therapist, service=service, starts_at=TEN)
    AppointmentFactory(therapist=therapist, service=service, starts_at=TEN + timedelta(hours=1))
    AppointmentFactory(therapist=therapist, service=service, starts_at=TEN + timedelta(minutes=30),
                       status="cancelled")
    with pytest.raises(IntegrityError, match="appointments_no_overlap"):
        AppointmentFactory(therapist=therapist, service=service, starts_at=TEN + timedelta(minutes=30))
    db.session.rollback()
    assert count(Appointment) == 3


def test_the_database_constraint_is_answered_as_slot_taken(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    book(request_for(clinic, TEN), now=NOW)
    monkeypatch.setattr(availability, "choose_therapist", lambda calendars, *a, **k: calendars[0].therapist_id)
    with pytest.raises(SlotTaken):
        book(request_for(clinic, TEN + timedelta(minutes=30), patient=replace(ALEX, email="s@example.com")),
             now=NOW)
    assert count(Appointment) == 1


def test_first_available_takes_the_therapist_the_slot_search_shows(clinic: Clinic) -> None:
    first, second = clinic.physiotherapists
    book(request_for(clinic, local(2026, 12, 2, 15)), now=NOW)  # the first therapist has booked time that day
    shown = availability.search_slots(clinic.physio, TEN.date(), TEN.date(), now=NOW)
    assert next(slot for slot in shown if slot.starts_at == TEN).therapist_id == second.id
    visit = book(request_for(clinic, TEN, therapist=None), now=NOW).appointment
    assert visit.therapist_id == second.id
    third = book(request_for(clinic, TEN, therapist=None, patient=replace(ALEX, email="b@example.com")), now=NOW)
    assert third.appointment.therapist_id == first.id
    with pytest.raises(SlotTaken):
        book(request_for(clinic, TEN, therapist=None, patient=replace(ALEX, email="c@example.com")), now=NOW)


def test_the_same_idempotency_key_gives_the_same_booking(clinic: Clinic) -> None:
    first = book(request_for(clinic, TEN, key="k-1"), now=NOW)
    again = book(request_for(clinic, TEN, key="k-1"), now=NOW + timedelta(minutes=1))
    assert again.replayed and again.appointment.id == first.appointment.id
    assert again.manage_token == first.manage_token
    same_instant = book(request_for(clinic, TEN.astimezone(UTC), key="k-1"), now=NOW)
    assert same_instant.replayed and count(Appointment) == 1


@pytest.mark.parametrize("change", [
    {"starts_at": TEN + timedelta(hours=1)},
    {"therapist": None},
    {"patient": replace(ALEX, name="Mallory Stranger")},
    {"patient": replace(ALEX, phone="587-555-0199")},
    {"patient": replace(ALEX, email="alex@example.com")},
], ids=["time", "therapist", "name", "phone", "email"])
def test_an_idempotency_key_reused_with_any_field_changed_is_refused(clinic: Clinic, change: dict[str, Any]) -> None:
    first = book(request_for(clinic, TEN, key="k-1"), now=NOW)
    with pytest.raises(InvalidBooking) as caught:
        book(request_for(clinic, **{"starts_at": TEN, **change}, key="k-1"), now=NOW)
    assert list(caught.value.errors) == ["idempotency_key"]
    assert "different request" in caught.value.errors["idempotency_key"]
    assert count(Appointment) == 1 and count(Patient) == 1
    assert first.appointment.patient.name == "Alex Morgan"


# Cancelling and rescheduling -------------------------------------------------------------------

def test_cancel_until_the_deadline_then_call_the_clinic(clinic: Clinic) -> None:
    visit = book(request_for(clinic, TEN), now=NOW).appointment
    deadline = change_deadline(visit)
    assert deadline == TEN - timedelta(hours=24)
    assert can_change(visit, now=deadline - timedelta(seconds=1)) and not can_change(visit, now=deadline)
    with pytest.raises(ChangeNotAllowed) as caught:
        cancel(visit, now=deadline)
    assert "+1 403-555-0142" in caught.value.message and visit.status == AppointmentStatus.BOOKED
    cancel(visit, reason="  Feeling  better ", now=deadline - timedelta(seconds=1))
    assert visit.status == AppointmentStatus.CANCELLED and visit.cancellation_reason == "Feeling better"
    assert visit.cancelled_at == deadline - timedelta(seconds=1)
    with pytest.raises(ChangeNotAllowed, match="was cancelled"):
        cancel(visit, now=NOW)


def test_a_cancelled_visit_frees_its_time(clinic: Clinic) -> None:
    cancel(book(request_for(clinic, TEN), now=NOW).appointment, now=NOW)
    book(request_for(clinic, TEN, patient=replace(ALEX, email="sam@example.com")), now=NOW)
    assert count(Appointment) == 2


def test_a_too_long_cancellation_reason_is_refused(clinic: Clinic) -> None:
    visit = book(request_for(clinic, TEN), now=NOW).appointment
    with pytest.raises(InvalidBooking) as caught:
        cancel(visit, reason="x" * 501, now=NOW)
    assert list(caught.value.errors) == ["reason"] and visit.status == AppointmentStatus.BOOKED


def test_reschedule_moves_the_visit_and_frees_the_old_time(clinic: Clinic) -> None:
    visit = book(request_for(clinic, TEN), now=NOW).appointment
    reschedule(visit, TEN + timedelta(minutes=30), now=NOW)  # overlapping its own old time is fine
    assert (visit.starts_at, visit.ends_at) == (TEN + timedelta(minutes=30), TEN + timedelta(minutes=90))
    book(request_for(clinic, TEN - timedelta(minutes=30), patient=replace(ALEX, email="s@example.com")), now=NOW)
    assert count(Appointment) == 2


def test_reschedule_under_the_cut_off_rule(clinic: Clinic) -> None:
    visit = book(request_for(clinic, TEN), now=NOW).appointment
    deadline = change_deadline(visit)
    with pytest.raises(ChangeNotAllowed, match="403-555-0142"):
        reschedule(visit, TEN + timedelta(days=1), now=deadline)
    reschedule(visit, TEN + timedelta(days=1), now=deadline - timedelta(seconds=1))
    assert visit.starts_at == TEN + timedelta(days=1)


def test_reschedule_to_a_taken_time_changes_nothing(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    visit = book(request_for(clinic, TEN), now=NOW).appointment
    book(request_for(clinic, TEN + timedelta(hours=2), patient=replace(ALEX, email="s@example.com")), now=NOW)
    with pytest.raises(SlotTaken):
        reschedule(visit, TEN + timedelta(hours=2, minutes=30), now=NOW)
    monkeypatch.setattr(availability, "choose_therapist", lambda calendars, *a, **k: calendars[0].therapist_id)
    with pytest.raises(SlotTaken):  # the database has the last word
        reschedule(visit, TEN + timedelta(hours=2, minutes=30), now=NOW)
    assert visit.starts_at == TEN
    with pytest.raises(InvalidBooking) as caught:
        reschedule(visit, TEN.replace(tzinfo=None), now=NOW)
    assert list(caught.value.errors) == ["starts_at"]


def test_reschedule_to_another_therapist_of_the_same_kind(clinic: Clinic) -> None:
    visit = book(request_for(clinic, TEN), now=NOW).appointment
    reschedule(visit, TEN, therapist_id=clinic.physiotherapists[1].id, now=NOW)
    assert visit.therapist_id == clinic.physiotherapists[1].id
    with pytest.raises(InvalidBooking) as caught:
        reschedule(visit, TEN, therapist_id=clinic.massage_therapists[0].id, now=NOW)
    assert list(caught.value.errors) == ["therapist_id"]


def test_a_long_visit_of_another_service_blocks_the_scan_window(clinic: Clinic) -> None:
    long_visit = ServiceFactory(duration_minutes=240)
    AppointmentFactory(therapist=clinic.physiotherapists[0], service=long_visit, starts_at=TEN - timedelta(hours=3))
    with pytest.raises(SlotTaken):
        book(request_for(clinic, TEN), now=NOW)


class Deadlock(Exception):
    """What psycopg raises when PostgreSQL aborts one of two inserts waiting on each other."""

    sqlstate = "40P01"


def _deadlocking_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next booking attempt lose a deadlock; later attempts run as usual."""
    real = booking_service._book_once
    calls: list[int] = []

    def once(request: BookingRequest, now: datetime) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT INTO appointments ...", {}, Deadlock("deadlock detected"))
        return real(request, now)

    monkeypatch.setattr(booking_service, "_book_once", once)


def test_a_deadlock_with_a_racing_booking_is_answered_as_slot_taken(clinic: Clinic,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _deadlocking_once(monkeypatch)
    with pytest.raises(SlotTaken):
        book(request_for(clinic, TEN), now=NOW)


def test_a_deadlock_of_a_first_available_booking_is_retried(clinic: Clinic,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _deadlocking_once(monkeypatch)
    assert book(request_for(clinic, TEN, therapist=None), now=NOW).appointment.starts_at == TEN
