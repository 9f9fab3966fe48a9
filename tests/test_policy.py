"""The access policy, enforced by the services themselves and shown by the staff navigation.

A service called in the wrong person's name refuses (``Refused``) and stores
nothing, whichever page or script calls it; every navigation entry a person
sees opens for them, and the entries they do not see are pages they cannot open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    CarePlan,
    CarePlanDismissal,
    StaffUser,
    VisitNote,
    VisitOutcome,
)
from booking.policy import NAVIGATION, PATIENT_SEARCH, Refused, navigation_for
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans.notes import HANDOFF, record_pain, write_note
from booking.services.therapists import feed
from booking.services.visits import BookingRequest, book, cancel, reschedule
from booking.services.visits.outcomes import record_outcome
from tests.factories import Clinic, StaffUserFactory, local, small_clinic
from tests.staff.test_care_plans_service import ALEX, details
from tests.staff.therapist_pages import massage_therapist, visit
from tests.staff_fixtures import signed_in

NOW = local(2026, 11, 30, 12)  # the visit below began two hours ago


@pytest.fixture
def clock_at_monday_noon(app: Flask) -> Iterator[time_machine.Coordinates]:
    """The clock at Monday 2026-11-30 12:00 in Calgary, two hours into the visit below."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(clock_at_monday_noon: time_machine.Coordinates) -> Clinic:
    return small_clinic()


@pytest.fixture
def therapist_a(clinic: Clinic) -> StaffUser:
    return massage_therapist()


@pytest.fixture
def therapist_b(therapist_a: StaffUser) -> StaffUser:
    return massage_therapist()


@pytest.fixture
def admin(therapist_a: StaffUser) -> StaffUser:
    return StaffUserFactory(admin=True)


@pytest.fixture
def a_visit(therapist_a: StaffUser) -> Appointment:
    """Therapist A's visit, begun two hours ago."""
    return visit(therapist_a, NOW - timedelta(hours=2))


def stored(model: type) -> int:
    """How many rows of the model are stored."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("kind", ["session", HANDOFF])
@pytest.mark.parametrize("writer", ["therapist_b", "admin"])
def test_only_the_visits_therapist_can_write_a_note_on_it(a_visit: Appointment, writer: str,
                                                          request: pytest.FixtureRequest, kind: str) -> None:
    someone_else: StaffUser = request.getfixturevalue(writer)
    audited = stored(AuditEvent)
    with pytest.raises(Refused):
        write_note(a_visit, someone_else, "Written in the wrong name", kind=kind)
    assert stored(VisitNote) == 0 and stored(AuditEvent) == audited


def test_the_visits_therapist_writes_a_note_on_it(a_visit: Appointment, therapist_a: StaffUser) -> None:
    write_note(a_visit, therapist_a, "Tolerated light pressure well")
    assert stored(VisitNote) == 1


@pytest.mark.parametrize("writer", ["therapist_b", "admin"])
def test_only_the_visits_therapist_can_record_its_outcome(a_visit: Appointment, writer: str,
                                                          request: pytest.FixtureRequest) -> None:
    with pytest.raises(Refused):
        record_pain(a_visit, request.getfixturevalue(writer), 3, "Climbs stairs without the rail")
    assert stored(VisitOutcome) == 0


def test_another_therapist_cannot_mark_a_visit(a_visit: Appointment, therapist_b: StaffUser) -> None:
    with pytest.raises(Refused):
        record_outcome(a_visit, "completed", by_staff=therapist_b)
    db.session.refresh(a_visit)
    assert a_visit.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("marker", ["therapist_a", "admin"])
def test_the_visits_therapist_or_an_admin_marks_it(a_visit: Appointment, marker: str,
                                                   request: pytest.FixtureRequest) -> None:
    record_outcome(a_visit, "no_show", by_staff=request.getfixturevalue(marker))
    assert a_visit.status == AppointmentStatus.NO_SHOW


@pytest.mark.parametrize("changer", ["therapist_a", "therapist_b"])
def test_only_an_admin_cancels_or_moves_a_visit_for_the_clinic(a_visit: Appointment, changer: str,
                                                               request: pytest.FixtureRequest) -> None:
    therapist: StaffUser = request.getfixturevalue(changer)
    starts_at = a_visit.starts_at
    with pytest.raises(Refused):
        cancel(a_visit, reason="Therapist unwell", by_staff=therapist)
    with pytest.raises(Refused):
        reschedule(a_visit, starts_at + timedelta(days=1), by_staff=therapist)
    db.session.refresh(a_visit)
    assert (a_visit.status, a_visit.starts_at) == (AppointmentStatus.BOOKED, starts_at)


def test_an_admin_cancels_a_visit_past_the_cut_off(a_visit: Appointment, admin: StaffUser) -> None:
    cancel(a_visit, reason="Therapist unwell", by_staff=admin)
    assert a_visit.status == AppointmentStatus.CANCELLED


@pytest.mark.parametrize("changer", ["therapist_b", "admin"])
def test_only_the_therapist_changes_their_calendar_feed(therapist_a: StaffUser, changer: str,
                                                       request: pytest.FixtureRequest) -> None:
    someone_else: StaffUser = request.getfixturevalue(changer)
    therapist = therapist_a.therapist
    version, full_names = therapist.feed_version, therapist.feed_full_names
    with pytest.raises(Refused):
        feed.revoke(therapist, someone_else)
    with pytest.raises(Refused):
        feed.show_full_names(therapist, not full_names, someone_else)
    db.session.refresh(therapist)
    assert (therapist.feed_version, therapist.feed_full_names) == (version, full_names)


def test_only_an_admin_runs_care_plans(clinic: Clinic, therapist_a: StaffUser, admin: StaffUser) -> None:
    combined = clinic.screenings["combined"]
    with pytest.raises(Refused):
        care_plans.create_plan(combined, details(clinic), therapist_a)
    with pytest.raises(Refused):
        care_plans.dismiss(combined, "Patient chose physiotherapy only", therapist_a)
    plan = care_plans.create_plan(combined, details(clinic), admin)
    with pytest.raises(Refused):
        care_plans.change_plan(plan, details(clinic, goals="Run a 5 km"), "paused", therapist_a)
    with pytest.raises(Refused):
        plan_course.book_plan(plan, plan_course.propose(plan), ALEX, therapist_a)
    db.session.refresh(plan)
    assert (plan.status, plan.goals) == ("active", "Walk without a limp")
    assert (stored(CarePlan), stored(CarePlanDismissal), stored(Appointment)) == (1, 0, 0)


@pytest.mark.parametrize("booker", ["therapist_a", "admin"])
def test_only_an_admin_books_for_a_caller(clinic: Clinic, booker: str, request: pytest.FixtureRequest) -> None:
    staff: StaffUser = request.getfixturevalue(booker)
    caller = BookingRequest(screening_id=str(clinic.screenings["physiotherapy"].id), service_code=clinic.physio.code,
                            therapist_id=clinic.physiotherapists[0].id, starts_at=local(2026, 12, 2, 10),
                            patient=ALEX, booked_by=staff)
    if staff.is_admin:
        book(caller)
    else:
        with pytest.raises(Refused):
            book(caller)
    assert stored(Appointment) == (1 if staff.is_admin else 0)


def menu(page: str) -> list[str]:
    """The links of a page's staff navigation, in order."""
    nav = page.split('<nav aria-label="Staff">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.parametrize("person", ["therapist_a", "admin"])
def test_every_navigation_entry_a_person_sees_opens_for_them(client: FlaskClient, person: str,
                                                             request: pytest.FixtureRequest) -> None:
    user: StaffUser = request.getfixturevalue(person)
    signed_in(client, user)
    shown = navigation_for(user)
    assert shown and len(shown) < len(NAVIGATION)
    with client.application.test_request_context():
        paths = {page.endpoint: url_for(page.endpoint) for page in NAVIGATION + (PATIENT_SEARCH,)}
    account = client.get("/staff/account")
    assert account.status_code == 200
    assert menu(account.get_data(as_text=True)) == [paths[page.endpoint] for page in shown]
    assert ('role="search"' in account.get_data(as_text=True)) == PATIENT_SEARCH.shown_to(user)
    for page in NAVIGATION:
        status = 200 if page in shown else 404
        assert client.get(paths[page.endpoint]).status_code == status, page.endpoint
    assert client.get(paths[PATIENT_SEARCH.endpoint]).status_code == (200 if PATIENT_SEARCH.shown_to(user) else 404)


def test_a_refusal_that_reaches_a_page_answers_404(fresh_app: Flask) -> None:
    def careless_page() -> str:
        raise Refused("This page is not for your role.")

    fresh_app.add_url_rule("/careless-page", view_func=careless_page)
    answer = fresh_app.test_client().get("/careless-page")
    assert answer.status_code == 404
    assert "not for your role" not in answer.get_data(as_text=True)
