"""Every service that acts for a staff member refuses a person the policy refuses, whoever calls it.

The table below calls each service directly, as no page would let the person
call it: another therapist on a therapist's visit, hours or calendar feed; a
therapist on an admin's work; an admin on a therapist's own work; a deactivated
login on its own work. Each call raises ``Refused`` and stores nothing (every
table reads the same after it). The last tests are the other side: the right
person is let through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from functools import cached_property, partial
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    ClinicClosure,
    ContactMessage,
    Notification,
    Patient,
    StaffUser,
    TimeOff,
    VisitNote,
)
from booking.models.base import Base
from booking.outbox import retries
from booking.policy import Refused
from booking.services import audit, catalog, clinic_hours, contact, patient_records
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans import queue as plan_queue
from booking.services.care_plans.export import outcome_rows
from booking.services.care_plans.notes import HANDOFF, record_pain, write_note
from booking.services.catalog import ServiceDetails
from booking.services.front_desk import today_page
from booking.services.staff_accounts import logins
from booking.services.therapists import feed, profiles
from booking.services.therapists import hours as working_hours
from booking.services.therapists.hours import Shift
from booking.services.therapists.profiles import TherapistDetails
from booking.services.visits import BookingRequest, book, cancel, reschedule
from booking.services.visits.appointment_book import clinic_day, therapist_days
from booking.services.visits.check_in import set_arrived
from booking.services.visits.desk import day_visits, late_or_missed
from booking.services.visits.listing import AppointmentFilter, appointment_page
from booking.services.visits.outcomes import record_outcome
from tests.factories import Clinic, PatientFactory, StaffUserFactory, local, small_clinic
from tests.staff.test_care_plans_service import ALEX, details
from tests.staff.therapist_pages import massage_therapist, visit

NOW = local(2026, 11, 30, 12)  # Monday noon in Calgary; therapist A's visit began two hours ago
NOTE = "Tolerated light pressure well"
SHIFT = Shift(weekday=5, start=time(9), end=time(12))
SERVICE = ServiceDetails(code="massage-30", name="Massage therapy (30 minutes)", description="", therapy_type="massage",
                         duration_minutes=30, buffer_minutes=15, price_cents=6500)
THERAPIST = TherapistDetails(name="Robin Hale", therapy_type="massage", email=None, bio="")


class World:
    """A small clinic with a record of each kind a service acts on, each made when a case first asks for it."""

    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self.therapist_a = massage_therapist()
        self.therapist_b = massage_therapist()
        self.admin = StaffUserFactory(admin=True)
        self.former_admin = StaffUserFactory(admin=True, active=False)

    def person(self, who: str) -> StaffUser:
        """The person a case is called as: "therapist_a", "therapist_b", "admin", "former_admin" (a deactivated
        admin's login), or "therapist_a, deactivated" (A's login, deactivated now)."""
        if who == "therapist_a, deactivated":
            self.therapist_a.active = False
            db.session.commit()
            return self.therapist_a
        return getattr(self, who)  # type: ignore[no-any-return]

    @cached_property
    def visit(self) -> Appointment:
        """Therapist A's visit, begun two hours ago."""
        return visit(self.therapist_a, NOW - timedelta(hours=2))

    @cached_property
    def checked_in(self) -> Appointment:
        """Another visit of therapist A's today, its patient checked in."""
        return visit(self.therapist_a, NOW + timedelta(hours=2), checked_in_at=NOW)

    @cached_property
    def a_id(self) -> int:
        """The id of therapist A's therapist record."""
        return self.therapist_a.therapist_id  # type: ignore[return-value]

    @cached_property
    def time_off(self) -> TimeOff:
        """A day of therapist A's away next week."""
        away = TimeOff(therapist_id=self.a_id, starts_at=local(2026, 12, 7, 0), ends_at=local(2026, 12, 8, 0))
        db.session.add(away)
        db.session.commit()
        return away

    @cached_property
    def plan(self) -> CarePlan:
        """An admin's plan for the combined screening, its course not booked."""
        return care_plans.create_plan(self.clinic.screenings["combined"], details(self.clinic), self.admin)

    @cached_property
    def closure(self) -> ClinicClosure:
        """Christmas Day, closed."""
        return clinic_hours.add_closure(date(2026, 12, 25), "Christmas Day", self.admin)

    @cached_property
    def message(self) -> ContactMessage:
        """A message sent to the clinic, not handled yet."""
        message = ContactMessage(name="Sam Lee", email="sam@example.com", message="Do you bill insurers?")
        db.session.add(message)
        db.session.commit()
        return message

    @cached_property
    def failed_notification(self) -> Notification:
        """A notification that failed for good."""
        row = Notification(key="failed", kind="manage_links", recipient="sam@example.com", status="failed",
                           due_at=NOW, attempts=5)
        db.session.add(row)
        db.session.commit()
        return row

    @cached_property
    def patients(self) -> tuple[Patient, Patient]:
        """Two records of one person (one booked online, one by phone)."""
        return PatientFactory(name="Morgan Fraser"), PatientFactory(name="Morgan Fraser", email=None)

    def settings(self) -> dict[str, Any]:
        """The clinic's settings with another name, as the settings page would send them."""
        now = clinic_settings()
        return {"name": "Another name", "phone": now.phone, "address": now.address,
                "opening_hours": now.opening_hours, "cancel_cutoff_hours": now.cancel_cutoff_hours,
                "min_notice_minutes": now.min_notice_minutes, "reminder_offsets_minutes": now.reminder_offsets_minutes}


Call = Callable[[World, StaffUser], Callable[[], object]]
B_AND_ADMIN, B_ADMIN_AND_A_DEACTIVATED = ("therapist_b", "admin"), ("therapist_b", "admin", "therapist_a, deactivated")
A_AND_FORMER_ADMIN = ("therapist_a", "former_admin")

# What each service does, its call (w: the world, p: the person), and who is refused.
REFUSED: list[tuple[str, Call, tuple[str, ...]]] = [
    # Therapist A's visit: their notes and outcomes; marking it; the front desk's changes and bookings.
    ("write a session note", lambda w, p: partial(write_note, w.visit, p, NOTE), B_ADMIN_AND_A_DEACTIVATED),
    ("write a handoff note", lambda w, p: partial(write_note, w.visit, p, NOTE, kind=HANDOFF), B_AND_ADMIN),
    ("record the outcome", lambda w, p: partial(record_pain, w.visit, p, 3, "Climbs stairs"), B_AND_ADMIN),
    ("mark the visit", lambda w, p: partial(record_outcome, w.visit, "completed", by_staff=p),
     ("therapist_b", "therapist_a, deactivated")),
    ("cancel a visit", lambda w, p: partial(cancel, w.visit, reason="Unwell", by_staff=p), ("therapist_a", "therapist_b")),
    ("move a visit", lambda w, p: partial(reschedule, w.visit, w.visit.starts_at + timedelta(days=1), by_staff=p),
     ("therapist_a",)),
    ("check a patient in", lambda w, p: partial(set_arrived, w.visit, True, by_staff=p), A_AND_FORMER_ADMIN),
    ("undo a check-in", lambda w, p: partial(set_arrived, w.checked_in, False, by_staff=p), A_AND_FORMER_ADMIN),
    ("book for a caller", lambda w, p: partial(book, BookingRequest(
        screening_id=str(w.clinic.screenings["physiotherapy"].id), service_code=w.clinic.physio.code,
        therapist_id=w.clinic.physiotherapists[0].id, starts_at=local(2026, 12, 2, 10), patient=ALEX, booked_by=p)),
     ("therapist_a",)),
    # Care plans: an admin's.
    ("read the care-plan queue", lambda w, p: partial(plan_queue.queue, p), ("therapist_a",)),
    ("make a care plan", lambda w, p: partial(care_plans.create_plan, w.clinic.screenings["combined"],
                                              details(w.clinic), p), ("therapist_a",)),
    ("dismiss a screening", lambda w, p: partial(care_plans.dismiss, w.clinic.screenings["combined"], "Physio only", p),
     ("therapist_a",)),
    ("change a care plan", lambda w, p: partial(care_plans.change_plan, w.plan, details(w.clinic, goals="Run 5 km"),
                                                "paused", p), ("therapist_a",)),
    ("book a care plan", lambda w, p: partial(plan_course.book_plan, w.plan, plan_course.propose(w.plan), ALEX, p),
     ("therapist_a",)),
    # Therapist A's diary: their schedule, hours, time off and calendar feed.
    ("read the schedule", lambda w, p: partial(therapist_days, w.a_id, NOW.date(), "day", p),
     ("therapist_b", "therapist_a, deactivated")),
    ("add a shift", lambda w, p: partial(working_hours.add_shift, w.a_id, SHIFT, p), B_ADMIN_AND_A_DEACTIVATED),
    ("change a shift", lambda w, p: partial(working_hours.change_shift, w.a_id, w.therapist_a.therapist.hours[0].id,
                                            SHIFT, p), ("therapist_b",)),
    ("remove a shift", lambda w, p: partial(working_hours.remove_shift, w.a_id, w.therapist_a.therapist.hours[0].id, p,
                                            rebook_myself=True), ("therapist_b",)),
    ("add time off", lambda w, p: partial(working_hours.add_time_off, w.a_id, local(2026, 12, 9, 0),
                                          local(2026, 12, 10, 0), "Course", p, rebook_myself=True), ("therapist_b",)),
    ("remove time off", lambda w, p: partial(working_hours.remove_time_off, w.a_id, w.time_off.id, p),
     ("therapist_b",)),
    ("revoke the calendar feed", lambda w, p: partial(feed.revoke, w.therapist_a.therapist, p), B_AND_ADMIN),
    ("show full names in the feed", lambda w, p: partial(feed.show_full_names, w.therapist_a.therapist, True, p),
     ("therapist_b",)),
    # Running the clinic: therapists, logins, services, settings, closed days, notifications.
    ("add a therapist", lambda w, p: partial(profiles.create_therapist, THERAPIST, p), ("therapist_a",)),
    ("edit a therapist", lambda w, p: partial(profiles.update_therapist, w.therapist_b.therapist, THERAPIST, p),
     ("therapist_a",)),
    ("deactivate a therapist", lambda w, p: partial(profiles.set_active, w.therapist_b.therapist, False, p),
     ("therapist_a",)),
    ("link a login to a therapist", lambda w, p: partial(profiles.link_user, w.clinic.massage_therapists[0],
                                                         w.therapist_b.id, p), ("therapist_a",)),
    ("deactivate a login", lambda w, p: partial(logins.deactivate, w.therapist_b, p), A_AND_FORMER_ADMIN),
    ("reactivate a login", lambda w, p: partial(logins.reactivate, w.former_admin, p), ("therapist_a",)),
    ("add a service", lambda w, p: partial(catalog.create_service, SERVICE, p), A_AND_FORMER_ADMIN),
    ("edit a service", lambda w, p: partial(catalog.update_service, w.clinic.massage, SERVICE, p), ("therapist_a",)),
    ("stop offering a service", lambda w, p: partial(catalog.set_service_active, w.clinic.massage, False, p),
     ("therapist_a",)),
    ("change the settings", lambda w, p: partial(clinic_hours.save_settings, p, **w.settings()), ("therapist_a",)),
    ("close the clinic for a day", lambda w, p: partial(clinic_hours.add_closure, date(2026, 12, 26), "", p),
     ("therapist_a",)),
    ("open a closed day again", lambda w, p: partial(clinic_hours.remove_closure, w.closure.id, p), ("therapist_a",)),
    ("retry a notification", lambda w, p: partial(retries.retry, w.failed_notification.id, by_staff=p),
     ("therapist_a",)),
    # Patients' records and messages, and the audit log.
    ("find a patient", lambda w, p: partial(patient_records.search, "Morgan", p), ("therapist_a",)),
    ("read a patient's visits", lambda w, p: partial(patient_records.visits_of, w.patients[0], p), ("therapist_a",)),
    ("join two records", lambda w, p: partial(patient_records.join, *w.patients, p), A_AND_FORMER_ADMIN),
    ("list the appointments", lambda w, p: partial(appointment_page, AppointmentFilter(), p), ("therapist_a",)),
    ("read the today page", lambda w, p: partial(today_page, p), A_AND_FORMER_ADMIN),
    ("list the day's visits", lambda w, p: partial(day_visits, NOW.date(), p), ("therapist_a",)),
    ("list the late cancellations", lambda w, p: partial(late_or_missed, NOW.date(), p), ("therapist_a",)),
    ("list the failed notifications", lambda w, p: partial(retries.failed, p, 10), ("therapist_a",)),
    ("list the messages not handled", lambda w, p: partial(contact.unhandled, p, 10), ("therapist_a",)),
    ("read the clinic's day", lambda w, p: partial(clinic_day, NOW.date(), p), ("therapist_a",)),
    ("mark a message handled", lambda w, p: partial(contact.mark_handled, w.message, p), ("therapist_a",)),
    ("read the audit log", lambda w, p: partial(audit.log_page, audit.AuditFilter(), p, 1, 50), A_AND_FORMER_ADMIN),
    ("export the outcomes", lambda w, p: partial(outcome_rows, p), A_AND_FORMER_ADMIN),
]


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """The world, the clock standing at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield World(small_clinic())


def everything() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in the order of their keys: what a refused call must leave as it was."""
    return {table.name: [tuple(row) for row in db.session.execute(
        select(table).order_by(*table.primary_key.columns))] for table in Base.metadata.sorted_tables}


@pytest.mark.parametrize(("what", "call", "who"), [
    pytest.param(what, call, who, id=f"{what}, as {who}") for what, call, people in REFUSED for who in people])
def test_a_service_refuses_whom_the_policy_refuses_and_stores_nothing(world: World, what: str, call: Call,
                                                                     who: str) -> None:
    person = world.person(who)
    service = call(world, person)
    before = everything()
    with pytest.raises(Refused):
        service()
    assert everything() == before


def test_the_visits_therapist_writes_on_it_and_an_admin_marks_it(world: World) -> None:
    write_note(world.visit, world.therapist_a, NOTE)
    record_outcome(world.visit, "no_show", by_staff=world.admin)
    assert db.session.scalars(select(VisitNote.body)).all() == [NOTE]
    assert world.visit.status == AppointmentStatus.NO_SHOW


def test_an_admin_cancels_a_visit_past_the_cut_off(world: World) -> None:
    cancel(world.visit, reason="Therapist unwell", by_staff=world.admin)
    assert world.visit.status == AppointmentStatus.CANCELLED


def test_a_therapist_keeps_their_own_diary(world: World) -> None:
    working_hours.add_shift(world.a_id, SHIFT, world.therapist_a)
    feed.revoke(world.therapist_a.therapist, world.therapist_a)
    assert [shift.weekday for shift in working_hours.shifts_of(world.a_id)].count(SHIFT.weekday) == 2
    assert world.therapist_a.therapist.feed_version == 1


def test_an_admin_runs_the_clinic_and_reads_its_records(world: World) -> None:
    catalog.create_service(SERVICE, world.admin)
    patient_records.join(*world.patients, world.admin)
    assert catalog.active_service(SERVICE.code) is not None
    assert [found.patient for found in patient_records.search("Morgan", world.admin)] == [world.patients[0]]
