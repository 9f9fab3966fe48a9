"""/admin/care-plans: the queue, dismissing, making a plan, its proposed course and booking it in one step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, CarePlan, CarePlanDismissal, Notification, Therapist
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans import queue as plan_queue
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, local, small_clinic
from tests.staff.test_care_plans_service import details
from tests.staff_fixtures import signed_in
from tests.test_hostile_input import HOSTILE_PATH, HOSTILE_TEXT
from tests.together import at_once

NOW = local(2026, 11, 30, 8)  # a Monday morning
PATIENT = {"name": "Alex Morgan", "email": "alex@example.com", "phone": "403-555-0101"}


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic with a screening of each kind, at NOW; the combined one's patient asked for a plan."""
    with time_machine.travel(NOW, tick=False):
        made = small_clinic()
        plan_queue.ask_for_plan(made.screenings["combined"].id)
        yield made


def plan_form(clinic: Clinic, **changes: str) -> dict[str, Any]:
    """Three weekly back-to-back pairs from Wednesday, as the form posts them."""
    return {"physiotherapist_id": str(clinic.physiotherapists[0].id), "physio_service_id": str(clinic.physio.id),
            "massage_therapist_id": str(clinic.massage_therapists[0].id), "massage_service_id": str(clinic.massage.id),
            "goals": "Walk without a limp", "physio_sessions": "3", "physio_cadence_days": "7",
            "massage_sessions": "3", "massage_cadence_days": "7", "tolerance_days": "1", "back_to_back": "y",
            "starts_on": "2026-12-02", **changes}


def new_url(clinic: Clinic) -> str:
    """The "make a plan" page of the clinic's combined screening."""
    return f"/admin/care-plans/new/{clinic.screenings['combined'].id}"


def made_plan(admin: FlaskClient, clinic: Clinic) -> CarePlan:
    """Make the plan through the form; the stored plan."""
    response = admin.post(new_url(clinic), data=plan_form(clinic))
    assert response.status_code == 303
    plan = db.session.scalars(select(CarePlan)).one()
    assert response.headers["Location"] == f"/admin/care-plans/{plan.id}"
    return plan


def shown_course(admin: FlaskClient, plan: CarePlan) -> dict[str, str]:
    """The plan page's book form: the digest of the course it shows, with the patient's details."""
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    found = re.search(r'name="course" type="hidden" value="([0-9a-f]+)"', page)
    key = re.search(r'name="idempotency_key" type="hidden" value="([0-9a-f]+)"', page)
    assert found is not None and key is not None
    return {**PATIENT, "course": found.group(1), "idempotency_key": key.group(1)}


def count(model: type[Any]) -> int:
    """How many rows a table has."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_queue_lists_only_combined_screenings_and_is_in_the_admin_navigation(admin: FlaskClient,
                                                                                  clinic: Clinic) -> None:
    page = admin.get("/admin/care-plans").get_data(as_text=True)
    assert '<a href="/admin/care-plans" aria-current="page">Care plans</a>' in page
    assert new_url(clinic) in page
    assert str(clinic.screenings["physiotherapy"].id) not in page
    assert admin.get(f"/admin/care-plans/new/{clinic.screenings['massage'].id}").status_code == 404


def test_dismissing_needs_a_reason_and_takes_the_screening_off_the_queue(admin: FlaskClient, clinic: Clinic) -> None:
    refused = admin.post(f"{new_url(clinic)}/dismiss", data={"reason": "   "})
    assert refused.status_code == 200
    assert "Say why this screening needs no care plan." in refused.get_data(as_text=True)
    assert count(CarePlanDismissal) == 0
    done = admin.post(f"{new_url(clinic)}/dismiss", data={"reason": "Chose physiotherapy only"})
    assert done.status_code == 303
    assert new_url(clinic) not in admin.get("/admin/care-plans").get_data(as_text=True)
    again = admin.get(new_url(clinic), follow_redirects=True)
    assert "This screening already has its plan or was taken off the queue" in again.get_data(as_text=True)


@pytest.mark.commits
@pytest.mark.parametrize("second", ["plan", "dismiss"])
def test_two_admins_deciding_one_screening_at_once_make_one_decision_and_the_other_is_told(
        app: Flask, clinic: Clinic, second: str) -> None:
    admins = [signed_in(app.test_client(), StaffUserFactory(admin=True)) for _ in range(4)]
    url, form = new_url(clinic), plan_form(clinic)

    def decide(n: int) -> str:
        if n % 2 == 0 or second == "plan":
            response = admins[n].post(url, data=form)
        else:
            response = admins[n].post(f"{url}/dismiss", data={"reason": "Seen by her surgeon's team"})
        assert response.status_code == 303
        return admins[n].get(response.headers["Location"]).get_data(as_text=True)

    pages = at_once([lambda n=n: decide(n) for n in range(len(admins))])
    told = [page for page in pages if "This screening already has its plan or was taken off the queue" in page]
    assert len(told) == len(admins) - 1
    assert count(CarePlan) + count(CarePlanDismissal) == 1


def test_a_wrong_plan_is_shown_again_with_what_was_typed(admin: FlaskClient, clinic: Clinic) -> None:
    response = admin.post(new_url(clinic), data=plan_form(clinic, tolerance_days="9", physio_sessions="two",
                                                          goals="Run a 5k again"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter the number of physiotherapy sessions as a whole number, like 60." in page
    assert "Run a 5k again" in page and 'value="9"' in page
    assert count(CarePlan) == 0


def test_a_new_plan_starts_back_to_back_with_a_days_tolerance(admin: FlaskClient, clinic: Clinic) -> None:
    page = admin.get(new_url(clinic)).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="back_to_back"|<input[^>]*name="back_to_back"[^>]*checked', page)
    assert re.search(r'name="tolerance_days"[^>]*value="1"|value="1"[^>]*name="tolerance_days"', page)


def test_the_change_form_shows_the_plan_as_it_stands(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    physiotherapist = clinic.physiotherapists[0]
    assert re.search(rf'<option selected value="{physiotherapist.id}">|<option value="{physiotherapist.id}" selected>',
                     page), "the plan's physiotherapist is the one chosen"
    assert "Walk without a limp</textarea>" in page
    assert re.search(r'name="physio_sessions"[^>]*value="3"|value="3"[^>]*name="physio_sessions"', page)
    assert 'value="2026-12-02"' in page


def test_a_plan_shows_its_proposed_back_to_back_course_and_its_viewing_is_audited(admin: FlaskClient,
                                                                                 clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert page.count("(back to back)") == 6
    assert "Book the whole course (6 visits)" in page
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "care_plan")).all()
    assert actions == ["created", "viewed"]


def test_booking_the_whole_course_books_every_visit_in_one_post(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    response = admin.post(f"/admin/care-plans/{plan.id}/book", data=shown_course(admin, plan))
    assert response.status_code == 303
    visits = db.session.scalars(select(Appointment)).all()
    assert len(visits) == 6 and {visit.care_plan_id for visit in visits} == {plan.id}
    assert count(Notification) > 0
    asked = db.session.scalars(select(Notification.appointment_id).where(Notification.kind == "questionnaire"))
    assert sorted(asked, key=str) == sorted((visit.id for visit in visits), key=str)  # each session, both kinds
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert "Booked visits" in page and "Book the whole course" not in page


def test_the_book_form_sent_twice_books_the_course_once(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    shown = shown_course(admin, plan)
    assert admin.post(f"/admin/care-plans/{plan.id}/book", data=shown).status_code == 303
    notices = count(Notification)
    again = admin.post(f"/admin/care-plans/{plan.id}/book", data=shown, follow_redirects=True)
    assert again.status_code == 200
    assert "The whole course is booked (it was booked when this form was first sent)." in again.get_data(as_text=True)
    assert count(Appointment) == 6 and count(Notification) == notices
    other_key = admin.post(f"/admin/care-plans/{plan.id}/book", data={**shown, "idempotency_key": "another"})
    assert "This plan" in other_key.get_data(as_text=True) and count(Appointment) == 6


def test_booking_a_plan_again_with_its_key_answers_the_same_course(app: Flask, clinic: Clinic) -> None:
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), StaffUserFactory(admin=True))
    proposal = plan_course.propose(plan)
    by = plan.created_by
    first = plan_course.book_plan(plan, proposal, care_plans.PatientDetails(**PATIENT), by, idempotency_key="k-1")
    again = plan_course.book_plan(plan, proposal, care_plans.PatientDetails(**PATIENT), by, idempotency_key="k-1")
    assert [item.appointment.id for item in again] == [item.appointment.id for item in first]
    assert all(item.replayed for item in again) and count(Appointment) == 6


def test_wrong_patient_details_book_nothing_and_keep_what_was_typed(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    response = admin.post(f"/admin/care-plans/{plan.id}/book", data={**shown_course(admin, plan), "email": "alex@"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Alex Morgan" in page and 'value="alex@"' in page
    assert count(Appointment) == 0
    assert count(Notification) == 0


def test_a_course_that_changed_since_it_was_shown_books_nothing(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    shown = shown_course(admin, plan)
    first = plan_course.propose(plan).visits[0]
    AppointmentFactory(therapist=db.session.get(Therapist, first.therapist_id), service=clinic.massage,
                       starts_at=first.starts_at)
    response = admin.post(f"/admin/care-plans/{plan.id}/book", data=shown)
    assert response.status_code == 200
    assert "The proposed course changed since the page was shown" in response.get_data(as_text=True)
    assert db.session.scalars(select(Appointment).where(Appointment.care_plan_id == plan.id)).all() == []
    assert count(Notification) == 0


def test_changing_a_plan_is_audited(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    response = admin.post(f"/admin/care-plans/{plan.id}", data={**plan_form(clinic, physio_sessions="4"),
                                                                 "status": "paused"})
    assert response.status_code == 303
    db.session.refresh(plan)
    assert (plan.physio_sessions, plan.status) == (4, "paused")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "changed")) is not None


def test_a_therapist_gets_404_on_every_care_plan_page(client: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(signed_in(client, StaffUserFactory(admin=True)), clinic)
    signed_in(client, StaffUserFactory(therapist=clinic.physiotherapists[0]))
    for url in ("/admin/care-plans", new_url(clinic), f"/admin/care-plans/{plan.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/care-plans/{plan.id}", data={**plan_form(clinic), "status": "cancelled"}
                       ).status_code == 404
    assert client.post(f"/admin/care-plans/{plan.id}/book", data=PATIENT).status_code == 404
    assert client.post(f"{new_url(clinic)}/dismiss", data={"reason": "No"}).status_code == 404
    assert count(Appointment) == 0 and count(CarePlanDismissal) == 0
    assert db.session.get(CarePlan, plan.id).status == "active"


def test_no_hostile_value_in_any_care_plan_field_answers_5xx(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    forms = [(new_url(clinic), plan_form(clinic)), (f"{new_url(clinic)}/dismiss", {"reason": "Chose physiotherapy"}),
             (f"/admin/care-plans/{plan.id}", {**plan_form(clinic), "status": "active"}),
             (f"/admin/care-plans/{plan.id}/book", {**shown_course(admin, plan), "email": "x"})]
    for url, valid in forms:
        for name in valid:
            for value in HOSTILE_TEXT:
                response = admin.post(url, data={**valid, name: value})
                assert response.status_code < 500, (url, name, value)
    for path in HOSTILE_PATH:
        assert admin.get(f"/admin/care-plans/{path}").status_code == 404
        assert admin.get(f"/admin/care-plans/new/{path}").status_code == 404


def selected(page: str, name: str) -> tuple[str, str]:
    """The value and the label of the option chosen in a select of the page."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html is not None
    option = re.search(r'<option (?:selected value="([^"]*)"|value="([^"]*)" selected)>([^<]*)</option>',
                       select_html.group(1))
    assert option is not None, f"no {name} chosen"
    return option.group(1) or option.group(2), option.group(3)


def options(page: str, name: str) -> list[str]:
    """The labels of a select's options."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html is not None
    return re.findall(r"<option[^>]*>([^<]*)</option>", select_html.group(1))


def test_a_started_plan_whose_therapist_left_keeps_them_on_the_form_and_changes_its_status(
        client: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(signed_in(client, StaffUserFactory(admin=True)), clinic)
    gone = clinic.massage_therapists[0]
    gone.active = False
    db.session.commit()
    with time_machine.travel(local(2026, 12, 10, 8), tick=False):
        admin = signed_in(client, StaffUserFactory(admin=True))
        page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
        assert selected(page, "massage_therapist_id") == (str(gone.id), f"{gone.name} (no longer active)")
        sent = {**plan_form(clinic), "massage_therapist_id": selected(page, "massage_therapist_id")[0],
                "status": "completed"}
        response = admin.post(f"/admin/care-plans/{plan.id}", data=sent)
    assert response.status_code == 303
    db.session.refresh(plan)
    assert (plan.status, plan.massage_therapist_id) == ("completed", gone.id)


def test_a_booked_plan_refuses_new_terms_on_their_fields_and_keeps_what_was_typed(admin: FlaskClient,
                                                                                   clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    assert admin.post(f"/admin/care-plans/{plan.id}/book", data=shown_course(admin, plan)).status_code == 303
    other = clinic.physiotherapists[1]
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert "The course is booked, so its therapists, services and schedule stay as they are" in page
    response = admin.post(f"/admin/care-plans/{plan.id}", data={
        **plan_form(clinic, physiotherapist_id=str(other.id), goals="Climb stairs"), "status": "active"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ('id="physiotherapist_id-error"><span class="visually-hidden">Error:</span> '
            f"{care_plans.BOOKED_TERMS}</p>") in page
    assert selected(page, "physiotherapist_id") == (str(other.id), other.name) and "Climb stairs" in page
    db.session.refresh(plan)
    assert (plan.physiotherapist_id, plan.goals) == (clinic.physiotherapists[0].id, "Walk without a limp")
    changed = admin.post(f"/admin/care-plans/{plan.id}", data={**plan_form(clinic, goals="Climb stairs"),
                                                               "status": "paused"})
    assert changed.status_code == 303
    db.session.refresh(plan)
    assert (plan.goals, plan.status) == ("Climb stairs", "paused")


def test_cancelling_a_plan_says_it_cancels_its_visits_to_come_and_does(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    assert admin.post(f"/admin/care-plans/{plan.id}/book", data=shown_course(admin, plan)).status_code == 303
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert "Cancelling it also cancels its 6 upcoming visits (the patient gets one email of them all)." in page
    response = admin.post(f"/admin/care-plans/{plan.id}", data={**plan_form(clinic), "status": "cancelled"},
                          follow_redirects=True)
    assert "The plan and its 6 visits still to come are cancelled; the patient is emailed." in \
        response.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.status == "cancelled"
    assert {visit.status for visit in db.session.scalars(select(Appointment))} == {"cancelled"}


def test_a_plan_offers_only_the_statuses_it_may_move_to(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert options(page, "status") == ["Active", "Paused", "Completed", "Cancelled"]
    assert admin.post(f"/admin/care-plans/{plan.id}", data={**plan_form(clinic), "status": "cancelled"}
                      ).status_code == 303
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert options(page, "status") == ["Cancelled"]
    assert "A cancelled plan is final: its status can no longer change." in page
    refused = admin.post(f"/admin/care-plans/{plan.id}", data={**plan_form(clinic), "status": "active"})
    assert refused.status_code == 200
    assert "This plan is cancelled, which is final: its status can no longer change." in refused.get_data(
        as_text=True)
