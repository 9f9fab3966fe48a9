"""Working a care plan: the plan page for admins and its two therapists, outcomes, handoff notes, their notices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, CarePlan, Notification, StaffUser, VisitNote, VisitOutcome
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.visits import reschedule
from booking.services.visits.outcomes import record_outcome
from tests.factories import Clinic, StaffUserFactory, local, small_clinic
from tests.staff.test_care_plans_service import ALEX, NOW, details
from tests.staff_fixtures import signed_in
from tests.together import at_once

AFTER_FIRST_PAIR = local(2026, 12, 2, 18)  # the plan's first massage and physiotherapy are over


@dataclass
class World:
    """A booked three-week back-to-back plan, its two therapists' logins, an admin and an outsider."""

    plan: CarePlan
    visits: list[Appointment]
    physio: StaffUser
    massage: StaffUser
    admin: StaffUser
    outsider: StaffUser

    def first(self, therapist: StaffUser) -> Appointment:
        """The therapist's first session of the plan."""
        return next(visit for visit in self.visits if visit.therapist_id == therapist.therapist_id)


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        clinic: Clinic = small_clinic()
        admin = StaffUserFactory(admin=True)
        plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), admin)
        booked = plan_course.book_plan(plan, plan_course.propose(plan), ALEX, admin)
        yield World(plan, [item.appointment for item in booked],
                    StaffUserFactory(therapist=clinic.physiotherapists[0]),
                    StaffUserFactory(therapist=clinic.massage_therapists[0]), admin,
                    StaffUserFactory(therapist=clinic.physiotherapists[1]))


def page(client: FlaskClient, user: StaffUser, plan: CarePlan) -> str:
    response = signed_in(client, user).get(f"/staff/care-plans/{plan.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def notices(event: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.event == event)))


def test_the_plan_page_is_for_admins_and_the_plans_two_therapists_only(world: World, client: FlaskClient) -> None:
    for user in (world.admin, world.physio, world.massage):
        text = page(client, user, world.plan)
        assert "Walk without a limp" in text
        assert "0 done, 6 upcoming, 0 missed" in text
    assert signed_in(client, world.outsider).get(f"/staff/care-plans/{world.plan.id}").status_code == 404
    assert signed_in(client, world.outsider).get("/staff/care-plans").get_data(as_text=True).count(
        "Care plan ") == 0
    listed = signed_in(client, world.massage).get("/staff/care-plans").get_data(as_text=True)
    assert f"/staff/care-plans/{world.plan.id}" in listed


def test_a_handoff_note_reaches_the_timeline_and_tells_only_the_other_therapist(world: World,
                                                                                client: FlaskClient) -> None:
    note = "Hamstrings very tight today; went lighter on the left knee"
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        signed_in(client, world.massage)
        refused = client.post(f"/staff/care-plans/{world.plan.id}/handoff",
                              data={"visit": str(world.first(world.physio).id), "body": note})
        assert refused.status_code == 400
        assert "Choose one of your sessions of this plan." in refused.get_data(as_text=True)
        assert note in refused.get_data(as_text=True)  # what was typed is kept
        saved = client.post(f"/staff/care-plans/{world.plan.id}/handoff",
                            data={"visit": str(world.first(world.massage).id), "body": note})
        assert saved.status_code == 303
        told = notices("handoff_note")
        assert [notice.therapist_id for notice in told] == [world.physio.therapist_id]
        assert page(client, world.physio, world.plan).count(note) == 1
        assert signed_in(client, world.outsider).post(f"/staff/care-plans/{world.plan.id}/handoff", data={
            "visit": str(world.first(world.massage).id), "body": "x"}).status_code == 404


@pytest.mark.commits
def test_a_handoff_note_sent_twice_is_stored_once_and_told_once(world: World, app: Flask) -> None:
    url = f"/staff/care-plans/{world.plan.id}/handoff"
    form = {"visit": str(world.first(world.massage).id), "body": "Calves tight; kept the pressure light"}
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        taps = [signed_in(app.test_client(), world.massage) for _ in range(3)]
        answers = at_once([lambda tap=tap: tap.post(url, data=form) for tap in taps])
        assert [answer.status_code for answer in answers] == [303] * len(taps)
        assert taps[0].post(url, data=form).status_code == 303  # sent again after a reload
    with time_machine.travel(AFTER_FIRST_PAIR + timedelta(hours=1), tick=False):
        taps[0] = signed_in(app.test_client(), world.massage)
        assert taps[0].post(url, data=form).status_code == 303  # the same words an hour later: a new note
    assert [note.body for note in db.session.scalars(select(VisitNote))] == [form["body"]] * 2
    assert [notice.therapist_id for notice in notices("handoff_note")] == [world.physio.therapist_id] * 2


def test_a_handoff_note_can_be_written_on_the_visit_page_too(world: World, client: FlaskClient) -> None:
    visit = world.first(world.physio)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        answer = signed_in(client, world.physio).post(f"/staff/visits/{visit.id}/notes",
                                                      data={"kind": "handoff", "body": "Knee better; more depth"})
        assert answer.status_code == 303
        assert [notice.therapist_id for notice in notices("handoff_note")] == [world.massage.therapist_id]
        assert "Knee better; more depth" in page(client, world.admin, world.plan)


def test_a_handoff_on_a_session_moved_to_a_stand_in_tells_the_plans_therapists(world: World,
                                                                             client: FlaskClient) -> None:
    visit = world.first(world.physio)
    with time_machine.travel(NOW, tick=False):
        reschedule(visit, visit.starts_at, therapist_id=world.outsider.therapist_id, by_staff=world.admin)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        answer = signed_in(client, world.outsider).post(f"/staff/visits/{visit.id}/notes",
                                                        data={"kind": "handoff", "body": "Knee better; more depth"})
        assert answer.status_code == 303
    told = sorted(notice.therapist_id for notice in notices("handoff_note"))
    assert told == sorted([world.massage.therapist_id, world.physio.therapist_id])


def test_a_handoff_note_needs_a_plan(world: World, client: FlaskClient) -> None:
    from tests.factories import AppointmentFactory
    lone = AppointmentFactory(therapist=world.physio.therapist, starts_at=local(2026, 11, 30, 9))
    answer = signed_in(client, world.physio).post(f"/staff/visits/{lone.id}/notes",
                                                  data={"kind": "handoff", "body": "For nobody"})
    assert answer.status_code == 400
    assert "belongs to no care plan" in answer.get_data(as_text=True)
    assert db.session.scalars(select(VisitNote)).all() == []


def test_outcomes_draw_pain_over_the_course_as_a_chart_and_a_table(world: World, client: FlaskClient) -> None:
    physio, massage = world.first(world.physio), world.first(world.massage)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        signed_in(client, world.physio)
        assert client.post(f"/staff/visits/{physio.id}/pain",
                           data={"pain": "6", "function_note": "Stairs with the rail"}).status_code == 303
        signed_in(client, world.massage)
        assert client.post(f"/staff/visits/{massage.id}/pain",
                           data={"pain": "7", "function_note": "Sits 20 minutes"}).status_code == 303
        text = page(client, world.admin, world.plan)
    assert 'role="img"' in text and "<circle" in text and "<rect" in text
    assert "Pain 7 to 6 over 2 sessions." in text  # massage right before physiotherapy: sessions 1 and 2
    assert "Session 1, Dec 2, Massage therapy: pain 7" in text and "Session 2, Dec 2, Physiotherapy: pain 6" in text
    assert "Circles: physiotherapy." in text and "Squares: massage therapy." in text
    assert "Stairs with the rail" in text and '<td data-label="Pain (0–10)">6</td>' in text


@pytest.mark.commits
def test_an_outcome_sent_twice_at_once_is_stored_once(world: World, app: Flask) -> None:
    url = f"/staff/visits/{world.first(world.physio).id}/pain"
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        taps = [signed_in(app.test_client(), world.physio) for _ in range(4)]
        sends = [lambda n=n: taps[n].post(url, data={"pain": str(n), "function_note": "Stairs with the rail"})
                 for n in range(len(taps))]
        assert [answer.status_code for answer in at_once(sends)] == [303] * len(taps)
    [outcome] = db.session.scalars(select(VisitOutcome)).all()
    assert outcome.pain in range(len(taps))


@pytest.mark.parametrize(("form", "error"), [
    ({"pain": "11", "function_note": "ok"}, "Choose the pain now, from 0 to 10."),
    ({"pain": "", "function_note": "ok"}, "Choose the pain now, from 0 to 10."),
    ({"pain": "4", "function_note": "  "}, "Write the function note"),
    ({"pain": "4", "function_note": "x" * 201}, "Keep the function note to 200 characters."),
])
def test_a_wrong_outcome_is_refused_and_what_was_typed_is_kept(world: World, client: FlaskClient,
                                                               form: dict[str, str], error: str) -> None:
    visit = world.first(world.physio)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        answer = signed_in(client, world.physio).post(f"/staff/visits/{visit.id}/pain", data=form)
    assert answer.status_code == 400
    assert error in answer.get_data(as_text=True)
    assert form["function_note"].strip()[:50] in answer.get_data(as_text=True)
    assert db.session.scalars(select(VisitOutcome)).all() == []


def test_no_outcome_before_the_session_begins_nor_by_the_other_therapist(world: World,
                                                                         client: FlaskClient) -> None:
    visit = world.first(world.physio)
    early = signed_in(client, world.physio).post(f"/staff/visits/{visit.id}/pain",
                                                 data={"pain": "3", "function_note": "Fine"})
    assert early.status_code == 400
    assert "has not begun yet" in early.get_data(as_text=True)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        assert signed_in(client, world.massage).post(f"/staff/visits/{visit.id}/pain", data={
            "pain": "3", "function_note": "Fine"}).status_code == 404


def test_a_sessions_outcome_tells_both_therapists_and_shows_on_the_timeline(world: World,
                                                                           client: FlaskClient) -> None:
    physio, massage = world.first(world.physio), world.first(world.massage)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        record_outcome(massage, "completed", by_staff=world.massage)
        record_outcome(physio, "no_show", by_staff=world.physio)
        text = page(client, world.massage, world.plan)
    both = sorted([world.physio.therapist_id, world.massage.therapist_id])
    assert sorted(notice.therapist_id for notice in notices("session_completed")) == both
    assert sorted(notice.therapist_id for notice in notices("session_missed")) == both
    assert "1 done, 4 upcoming, 1 missed" in text
    assert "Session completed" in text and "Session missed" in text


def test_a_status_change_shows_on_the_timeline(world: World, client: FlaskClient) -> None:
    with time_machine.travel(NOW, tick=False):
        care_plans.change_plan(world.plan, details_of(world), "paused", world.admin)
        text = page(client, world.physio, world.plan)
    assert "Plan changed" in text and "status active to paused" in text
    assert "Course booked" in text and "Plan made" in text


def details_of(world: World) -> care_plans.PlanDetails:
    """The plan's terms as they stand."""
    plan = world.plan
    return care_plans.PlanDetails(**{name: getattr(plan, name) for name in care_plans.PlanDetails.__dataclass_fields__})


def test_no_note_or_outcome_reaches_a_notification_or_the_audit_log(world: World, client: FlaskClient) -> None:
    from booking.models import AuditEvent
    visit = world.first(world.physio)
    with time_machine.travel(AFTER_FIRST_PAIR, tick=False):
        signed_in(client, world.physio).post(f"/staff/care-plans/{world.plan.id}/handoff",
                                             data={"visit": str(visit.id), "body": "Tender scar tissue"})
        client.post(f"/staff/visits/{visit.id}/pain", data={"pain": "5", "function_note": "Limps on stairs"})
    rows = [*db.session.scalars(select(AuditEvent)), *db.session.scalars(select(Notification))]
    assert rows and not any("scar" in repr(vars(row)) or "stairs" in repr(vars(row)) for row in rows)
