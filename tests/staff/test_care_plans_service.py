"""The care-plan service: the queue, dismissing, making and changing a plan, proposing and booking its course."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, CarePlan, Notification, StaffUser, TimeOff
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans import queue as plan_queue
from booking.services.care_plans.plans import InvalidPlan, PlanDetails
from booking.services.visits import PatientDetails, SlotTaken, cancel
from tests.factories import AppointmentFactory, Clinic, ScreeningFactory, StaffUserFactory, local, small_clinic

NOW = local(2026, 11, 30, 8)  # a Monday morning
ALEX = PatientDetails(name="Alex Morgan", email="alex@example.com", phone="403-555-0101")


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic (a combined screening among others), at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


@pytest.fixture
def admin(clinic: Clinic) -> StaffUser:
    """An admin."""
    return StaffUserFactory(admin=True)


def details(clinic: Clinic, **changes: object) -> PlanDetails:
    """Three weeks of weekly physiotherapy, massage right before it every week, from Wednesday."""
    plan = PlanDetails(physiotherapist_id=clinic.physiotherapists[0].id,
                       massage_therapist_id=clinic.massage_therapists[0].id, physio_service_id=clinic.physio.id,
                       massage_service_id=clinic.massage.id, goals="Walk without a limp", physio_sessions=3,
                       physio_cadence_days=7, massage_sessions=3, massage_cadence_days=7, tolerance_days=1,
                       back_to_back=True, starts_on=date(2026, 12, 2))
    return replace(plan, **changes)


def audits(action: str) -> list[AuditEvent]:
    """The audit rows of an action on care plans or screenings."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def queued(admin: StaffUser) -> list[object]:
    """The screenings in the queue, in its order, as the admin sees it."""
    return [entry.screening for entry in plan_queue.queue(admin)]


def test_the_queue_holds_combined_screenings_until_planned_or_dismissed(clinic: Clinic, admin: StaffUser) -> None:
    combined = clinic.screenings["combined"]
    other = ScreeningFactory(kind="combined")
    for screening in (combined, other):
        plan_queue.ask_for_plan(screening.id)
    assert set(queued(admin)) == {combined, other}
    care_plans.dismiss(other, "  Patient chose physiotherapy only ", admin)
    care_plans.create_plan(combined, details(clinic), admin)
    assert queued(admin) == []
    with pytest.raises(plan_queue.NoLongerQueued):
        plan_queue.queued_screening(other.id)
    with pytest.raises(plan_queue.NoLongerQueued):
        care_plans.create_plan(other, details(clinic), admin)
    assert [event.detail for event in audits("dismissed")] == ["taken off the care-plan queue"]


def test_a_combined_screening_enters_the_queue_only_once_its_patient_asks_or_books(clinic: Clinic,
                                                                                   admin: StaffUser) -> None:
    made, asked, booked = (ScreeningFactory(kind="combined") for _ in range(3))
    assert queued(admin) == []
    assert plan_queue.ask_for_plan(asked.id) == asked
    visit = AppointmentFactory(screening=booked, starts_at=local(2026, 12, 3, 10))
    assert plan_queue.ask_for_plan(clinic.screenings["physiotherapy"].id) is None
    entries = {entry.screening: entry for entry in plan_queue.queue(admin)}
    assert set(entries) == {asked, booked}
    assert entries[asked].asked_at == local(2026, 11, 30, 8) and entries[asked].booked_for is None
    assert entries[booked].booked_for == visit.starts_at and entries[booked].asked_at is None
    assert entries[booked].patient is not None and entries[booked].patient.name == visit.patient.name


def test_a_dismissal_needs_a_reason(clinic: Clinic, admin: StaffUser) -> None:
    plan_queue.ask_for_plan(clinic.screenings["combined"].id)
    with pytest.raises(InvalidPlan) as refused:
        care_plans.dismiss(clinic.screenings["combined"], "   ", admin)
    assert refused.value.errors == {"reason": "Say why this screening needs no care plan."}
    assert queued(admin) == [clinic.screenings["combined"]]


def test_making_and_changing_a_plan_is_audited_without_its_goals(clinic: Clinic, admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    care_plans.change_plan(plan, details(clinic, physio_sessions=4), "paused", admin)
    assert [(event.subject_type, event.subject_id, event.actor_id) for event in audits("created")] == [
        ("care_plan", str(plan.id), admin.id)]
    assert [event.subject_id for event in audits("changed")] == [str(plan.id)]
    assert (plan.physio_sessions, plan.status) == (4, "paused")
    told = db.session.scalars(select(Notification).where(Notification.event == "plan_changed")).all()
    assert sorted(notice.therapist_id for notice in told) == sorted(
        [clinic.physiotherapists[0].id, clinic.massage_therapists[0].id])
    with pytest.raises(InvalidPlan) as refused:
        plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)
    assert refused.value.errors == {"course": "This plan is paused: make it active to book its course."}
    assert all("limp" not in (event.detail or "") for event in db.session.scalars(select(AuditEvent)))


def test_a_wrong_plan_names_each_field(clinic: Clinic, admin: StaffUser) -> None:
    wrong = details(clinic, physiotherapist_id=clinic.massage_therapists[1].id, massage_service_id=clinic.physio.id,
                    tolerance_days=7, starts_on=date(2026, 11, 1), goals=" ")
    with pytest.raises(InvalidPlan) as refused:
        care_plans.create_plan(clinic.screenings["combined"], wrong, admin)
    assert set(refused.value.errors) == {"physiotherapist_id", "massage_service_id", "tolerance_days", "starts_on",
                                         "goals"}
    assert db.session.scalars(select(CarePlan)).all() == []


def test_the_proposed_course_pairs_massage_right_before_physiotherapy(clinic: Clinic, admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    proposal = plan_course.propose(plan)
    assert proposal.gaps == ()
    assert [visit.discipline for visit in proposal.visits] == ["massage", "physiotherapy"] * 3
    for massage, physio in zip(proposal.visits[::2], proposal.visits[1::2], strict=True):
        assert massage.ends_at == physio.starts_at


def test_booking_the_course_books_every_visit_on_the_plan_and_tells_both_therapists(clinic: Clinic,
                                                                                    admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    booked = plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)
    assert len(booked) == 6
    assert {visit.care_plan_id for visit in db.session.scalars(select(Appointment))} == {plan.id}
    notices = db.session.scalars(select(Notification).where(Notification.kind == "care_plan")).all()
    assert sorted(notice.therapist_id for notice in notices) == sorted(
        [clinic.physiotherapists[0].id, clinic.massage_therapists[0].id])
    assert plan.patient_id == booked[0].appointment.patient_id
    with pytest.raises(InvalidPlan):
        plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)


def test_a_course_with_one_time_gone_books_nothing(clinic: Clinic, admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    proposal = plan_course.propose(plan)
    last = proposal.visits[-1]
    AppointmentFactory(therapist=clinic.physiotherapists[0], service=clinic.physio, starts_at=last.starts_at)
    with pytest.raises(SlotTaken):
        plan_course.book_plan(plan, proposal, ALEX, admin)
    assert db.session.scalars(select(Appointment).where(Appointment.care_plan_id == plan.id)).all() == []
    assert db.session.scalars(select(Notification).where(Notification.kind == "care_plan")).all() == []
    assert audits("booked") == []


def test_the_patient_comes_from_the_screenings_earlier_booking(clinic: Clinic, admin: StaffUser) -> None:
    screening = clinic.screenings["combined"]
    earlier = AppointmentFactory(screening=screening, service=clinic.physio, therapist=clinic.physiotherapists[1],
                                 starts_at=NOW + timedelta(days=20))
    plan = care_plans.create_plan(screening, details(clinic), admin)
    found = care_plans.earlier_patient(plan)
    assert found is not None and found.email == earlier.patient.email


def test_a_plan_starts_within_the_booking_horizon(clinic: Clinic, admin: StaffUser) -> None:
    with pytest.raises(InvalidPlan) as refused:
        care_plans.create_plan(clinic.screenings["combined"], details(clinic, starts_on=date(9999, 12, 31)), admin)
    assert refused.value.errors["starts_on"].startswith("Choose a start date up to ")


def plan_changes(plan: CarePlan) -> list[Notification]:
    """The plan_changed notices told about the plan."""
    return list(db.session.scalars(select(Notification).where(Notification.event == "plan_changed",
                                                              Notification.care_plan_id == plan.id)))


def test_a_plan_that_has_started_or_lost_a_therapist_can_still_change_its_status(clinic: Clinic,
                                                                                  admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    clinic.massage_therapists[0].active = False
    db.session.commit()
    with time_machine.travel(local(2026, 12, 10, 8), tick=False):
        care_plans.change_plan(plan, details(clinic, goals="Walk and run"), "paused", admin)
        care_plans.change_plan(plan, details(clinic, goals="Walk and run"), "completed", admin)
        assert (plan.status, plan.goals) == ("completed", "Walk and run")
        with pytest.raises(InvalidPlan) as refused:
            care_plans.change_plan(plan, details(clinic, starts_on=date(2026, 12, 9),
                                                 massage_therapist_id=clinic.massage_therapists[1].id,
                                                 physiotherapist_id=clinic.massage_therapists[0].id), "completed",
                                   admin)
    assert refused.value.errors == {"starts_on": "Choose a start date from today on.",
                                    "physiotherapist_id": "Choose one of our active physiotherapy therapists."}


def test_once_the_course_is_booked_its_terms_stay_but_its_goals_and_status_change(clinic: Clinic,
                                                                                  admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)
    with pytest.raises(InvalidPlan) as refused:
        care_plans.change_plan(plan, details(clinic, physiotherapist_id=clinic.physiotherapists[1].id,
                                             massage_cadence_days=14, starts_on=date(2026, 12, 3)), "active", admin)
    assert refused.value.errors == dict.fromkeys(("physiotherapist_id", "massage_cadence_days", "starts_on"),
                                                 care_plans.BOOKED_TERMS)
    assert (plan.physiotherapist_id, plan.massage_cadence_days) == (clinic.physiotherapists[0].id, 7)
    assert plan_changes(plan) == []
    care_plans.change_plan(plan, details(clinic, goals="Walk without a limp, then jog"), "paused", admin)
    assert (plan.goals, plan.status) == ("Walk without a limp, then jog", "paused")
    assert sorted(notice.therapist_id for notice in plan_changes(plan)) == sorted(
        [clinic.physiotherapists[0].id, clinic.massage_therapists[0].id])


@pytest.mark.parametrize("final", ["completed", "cancelled"])
def test_a_completed_or_cancelled_plan_is_final(clinic: Clinic, admin: StaffUser, final: str) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    care_plans.change_plan(plan, details(clinic), final, admin)
    for status in ("active", "paused", *({"completed", "cancelled"} - {final})):
        with pytest.raises(InvalidPlan) as refused:
            care_plans.change_plan(plan, details(clinic), status, admin)
        assert refused.value.errors == {"status": f"This plan is {final}, which is final: its status can no "
                                                  "longer change."}
    assert plan.status == final


def test_a_paused_plan_is_made_active_again(clinic: Clinic, admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    care_plans.change_plan(plan, details(clinic), "paused", admin)
    care_plans.change_plan(plan, details(clinic), "active", admin)
    assert plan.status == "active"


def test_cancelling_a_plan_cancels_its_visits_to_come_in_the_same_step(clinic: Clinic, admin: StaffUser) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
    visits = [item.appointment for item in plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)]
    cancel(visits[0], by_staff=admin)  # one session was cancelled before
    care_plans.change_plan(plan, details(clinic), "cancelled", admin)
    db.session.expire_all()
    assert plan.status == "cancelled"
    assert {db.session.get(Appointment, visit.id).status for visit in visits} == {"cancelled"}
    together = db.session.scalars(select(Notification).where(Notification.kind == "course_cancelled")).all()
    assert [notice.appointment_id for notice in together] == [visits[1].id]  # one email of the five
    told = db.session.scalars(select(Notification.therapist_id).where(Notification.event == "plan_changed")).all()
    assert sorted(told) == sorted(plan.therapist_ids)


def test_the_plan_finder_sees_the_bookings_of_every_day_it_may_propose(clinic: Clinic, admin: StaffUser) -> None:
    physiotherapist = clinic.physiotherapists[0]
    for day in (2, 4, 5, 7, 8, 10, 11):  # each session drifts a day later, up to Saturday the 12th
        db.session.add(TimeOff(therapist_id=physiotherapist.id, starts_at=local(2026, 12, day, 0),
                               ends_at=local(2026, 12, day + 1, 0)))
    AppointmentFactory(therapist=physiotherapist, service=clinic.physio, starts_at=local(2026, 12, 12, 8))
    plan = care_plans.create_plan(clinic.screenings["combined"], details(
        clinic, physio_sessions=4, physio_cadence_days=2, massage_sessions=0, back_to_back=False), admin)
    proposal = plan_course.propose(plan)
    assert [visit.starts_at for visit in proposal.visits] == [
        local(2026, 12, 3, 8), local(2026, 12, 6, 8), local(2026, 12, 9, 8), local(2026, 12, 12, 9)]
    assert len(plan_course.book_plan(plan, proposal, ALEX, admin)) == 4
