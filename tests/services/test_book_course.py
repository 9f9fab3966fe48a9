"""Booking several visits at once (a back-to-back pair, a course of care): all of them or none, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Notification, Patient
from booking.services.visits import (
    Booked,
    BookingRequest,
    CourseRequest,
    InvalidBooking,
    PatientDetails,
    SlotTaken,
    VisitRequest,
    book,
    book_course,
    cancel,
    find_for_manage,
)
from tests.factories import Clinic, local
from tests.together import at_once

NOW = local(2026, 11, 30, 8)  # a Monday morning
TEN = local(2026, 12, 2, 10)  # the Wednesday after, 10:00
ALEX = PatientDetails(name="Alex Morgan", email="alex@example.com", phone="403-555-0101")
SAM = PatientDetails(name="Sam Lee", email="sam@example.com", phone="403-555-0102")


def massage(clinic: Clinic, starts_at: datetime, therapist: int = 0) -> VisitRequest:
    """A massage with the clinic's first (or given) massage therapist."""
    return VisitRequest(clinic.massage.code, clinic.massage_therapists[therapist].id, starts_at)


def physio(clinic: Clinic, starts_at: datetime, therapist: int = 0) -> VisitRequest:
    """A physiotherapy visit with the clinic's first (or given) physiotherapist."""
    return VisitRequest(clinic.physio.code, clinic.physiotherapists[therapist].id, starts_at)


def pair(clinic: Clinic, starts_at: datetime) -> tuple[VisitRequest, VisitRequest]:
    """Massage (60 minutes, 15 minutes' buffer) then physiotherapy right when it ends."""
    return massage(clinic, starts_at), physio(clinic, starts_at + timedelta(minutes=60))


def course(clinic: Clinic, *visits: VisitRequest, patient: PatientDetails = ALEX,
           key: str | None = None) -> CourseRequest:
    """A request of these visits on the patient's combined screening."""
    return CourseRequest(screening_id=str(clinic.screenings["combined"].id), visits=visits, patient=patient,
                         idempotency_key=key)


def six_weeks(clinic: Clinic, first: datetime = TEN) -> tuple[VisitRequest, ...]:
    """Twelve visits: a back-to-back pair every week for six weeks."""
    return tuple(visit for week in range(6) for visit in pair(clinic, first + timedelta(weeks=week)))


def count(model: type[Any]) -> int:
    """How many rows a table has."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_back_to_back_pair_is_two_visits_of_one_patient_each_with_its_own_link(clinic: Clinic) -> None:
    booked = book_course(course(clinic, *pair(clinic, TEN)), now=NOW)
    first, second = (each.appointment for each in booked)
    assert (first.service_id, first.starts_at, first.ends_at) == (clinic.massage.id, TEN, TEN + timedelta(hours=1))
    assert (second.service_id, second.starts_at) == (clinic.physio.id, first.ends_at)
    assert first.blocked_until > second.starts_at  # the massage therapist's buffer; the patient has moved on
    assert first.patient_id == second.patient_id and count(Patient) == 1
    assert booked[0].manage_token != booked[1].manage_token
    assert [find_for_manage(None, each.manage_token) for each in booked] == [first, second]
    kinds = [set(db.session.scalars(select(Notification.kind).where(Notification.appointment_id == visit.id)))
             for visit in (first, second)]
    assert kinds == [{"course_confirmation", "therapist_booked", "reminder"},
                     {"therapist_booked", "reminder", "questionnaire"}]  # the physiotherapy assessment's questions


def test_a_pair_whose_second_visit_is_taken_books_neither(clinic: Clinic) -> None:
    book(BookingRequest(str(clinic.screenings["physiotherapy"].id), clinic.physio.code,
                        clinic.physiotherapists[0].id, TEN + timedelta(minutes=90), SAM), now=NOW)
    stored = (count(Appointment), count(Patient), count(Notification))
    with pytest.raises(SlotTaken) as caught:
        book_course(course(clinic, *pair(clinic, TEN)), now=NOW)
    assert caught.value.visit == 1
    assert caught.value.message.startswith("Visit 2 (Physiotherapy assessment, Wednesday December 2, 2026 at "
                                           "11:00 a.m. MST) was just taken, so nothing was booked.")
    assert (count(Appointment), count(Patient), count(Notification)) == stored


def test_a_twelve_visit_course_books_all_or_nothing(clinic: Clinic) -> None:
    visits = six_weeks(clinic)
    last_week = TEN + timedelta(weeks=5, minutes=60)
    taken = book(BookingRequest(str(clinic.screenings["physiotherapy"].id), clinic.physio.code,
                                clinic.physiotherapists[0].id, last_week, SAM), now=NOW).appointment
    with pytest.raises(SlotTaken) as caught:
        book_course(course(clinic, *visits), now=NOW)
    assert caught.value.visit == 11 and count(Appointment) == 1 and count(Patient) == 1
    cancel(taken, now=NOW)
    booked = book_course(course(clinic, *visits), now=NOW)
    assert [each.appointment.starts_at for each in booked] == [visit.starts_at for visit in visits]
    assert {each.appointment.status for each in booked} == {AppointmentStatus.BOOKED}
    assert len({each.appointment.patient_id for each in booked}) == 1 and count(Patient) == 2
    assert len({each.manage_token for each in booked}) == 12


def test_the_visits_come_back_in_order_of_their_start(clinic: Clinic) -> None:
    later, earlier = physio(clinic, TEN + timedelta(days=7)), massage(clinic, TEN)
    booked = book_course(course(clinic, later, earlier), now=NOW)
    assert [each.appointment.starts_at for each in booked] == [TEN, TEN + timedelta(days=7)]


@pytest.mark.parametrize(("first", "second"), [
    ("physio", "physio"),      # two physiotherapy visits at 10:00 and 10:30, with two therapists
    ("massage", "massage"),    # a massage at 11:00 while the first one's buffer runs
    ("physio", "massage"),     # a massage at 10:45, before the physiotherapy ends
])
def test_visits_of_one_booking_may_not_overlap(clinic: Clinic, first: str, second: str) -> None:
    make = {"physio": physio, "massage": massage}
    start = {("physio", "physio"): 30, ("massage", "massage"): 60, ("physio", "massage"): 45}[(first, second)]
    visits = (make[first](clinic, TEN), make[second](clinic, TEN + timedelta(minutes=start), therapist=1))
    with pytest.raises(InvalidBooking) as caught:
        book_course(course(clinic, *visits), now=NOW)
    assert list(caught.value.errors) == ["visits.1.starts_at"]
    assert caught.value.errors["visits.1.starts_at"].startswith("Visit 2 overlaps visit 1.")
    assert count(Appointment) == 0 and count(Patient) == 0


def test_each_visits_fields_are_named_by_its_place(clinic: Clinic) -> None:
    visits = (massage(clinic, TEN), VisitRequest("nope", None, TEN + timedelta(days=1)),
              physio(clinic, TEN.replace(tzinfo=None) + timedelta(days=2)))
    with pytest.raises(InvalidBooking) as caught:
        book_course(course(clinic, *visits), now=NOW)
    assert set(caught.value.errors) == {"visits.1.service", "visits.2.starts_at"}
    with pytest.raises(InvalidBooking) as caught:
        book_course(course(clinic), now=NOW)
    assert list(caught.value.errors) == ["visits"]


def test_one_idempotency_key_covers_the_whole_course(clinic: Clinic) -> None:
    request = course(clinic, *six_weeks(clinic), key="course-1")
    first = book_course(request, now=NOW)
    again = book_course(request, now=NOW + timedelta(minutes=5))
    assert all(each.replayed for each in again) and not any(each.replayed for each in first)
    assert [(each.appointment.id, each.manage_token) for each in again] == \
        [(each.appointment.id, each.manage_token) for each in first]
    assert count(Appointment) == 12 and count(Patient) == 1
    changed = course(clinic, *six_weeks(clinic)[:-1], physio(clinic, TEN + timedelta(weeks=5, hours=2)),
                     key="course-1")
    with pytest.raises(InvalidBooking) as caught:
        book_course(changed, now=NOW)
    assert list(caught.value.errors) == ["idempotency_key"] and count(Appointment) == 12


def _together(app: Flask, requests: list[CourseRequest]) -> list[list[Booked] | SlotTaken]:
    """Book the courses at the same moment, each from its own thread and session; what each got."""

    def send(request: CourseRequest) -> list[Booked] | SlotTaken:
        with app.app_context():
            try:
                return book_course(request, now=NOW)
            except SlotTaken as exc:
                return exc
            finally:
                db.session.remove()

    return at_once([lambda request=request: send(request) for request in requests])


@pytest.mark.commits
def test_two_overlapping_courses_booked_at_once_give_one_without_a_deadlock(app: Flask, clinic: Clinic) -> None:
    rounds = 10 if db.engine.dialect.name == "postgresql" else 3
    for day in range(rounds):
        ten = TEN + timedelta(days=day)
        # Both need the same two therapists, in opposite order of time: locked visit by visit
        # they would wait on each other. They overlap on the massage at ten only.
        mine = course(clinic, massage(clinic, ten), physio(clinic, ten + timedelta(minutes=60)),
                      patient=ALEX)
        theirs = course(clinic, physio(clinic, ten - timedelta(minutes=60)), massage(clinic, ten),
                        patient=SAM)
        results = _together(app, [mine, theirs])
        refused = [result for result in results if isinstance(result, SlotTaken)]
        assert len(refused) == 1, results
        assert refused[0].visit is not None  # found by the re-check under the locks, not by a deadlock
        assert not isinstance(refused[0].__cause__, DBAPIError)
        booked = db.session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.starts_at >= ten - timedelta(hours=1), Appointment.starts_at < ten + timedelta(hours=2)))
        assert booked == 2
