"""A plan's pages: a booked plan shows its fixed terms as text (only its goals and status change), and every
staff page names a plan by its patient, not by its number."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, CarePlan
from tests.admin import test_care_plans_pages as care_plans_pages
from tests.admin.test_care_plans_pages import made_plan, shown_course
from tests.factories import Clinic, StaffUserFactory
from tests.staff_fixtures import signed_in

TERM_FIELDS = ("physiotherapist_id", "physio_service_id", "physio_sessions", "physio_cadence_days",
               "massage_therapist_id", "massage_service_id", "massage_sessions", "massage_cadence_days",
               "tolerance_days", "back_to_back", "starts_on")


# The fixtures: a small clinic at NOW whose combined screening's patient asked for a plan, and an admin client.
clinic = care_plans_pages.clinic


def booked_plan(admin: FlaskClient, clinic: Clinic) -> CarePlan:
    """A plan made and booked through the pages (for Alex Morgan)."""
    plan = made_plan(admin, clinic)
    assert admin.post(f"/admin/care-plans/{plan.id}/book", data=shown_course(admin, plan)).status_code == 303
    return plan


def test_a_booked_plan_shows_its_terms_as_text_and_only_its_goals_and_status_as_inputs(
        admin: FlaskClient, clinic: Clinic) -> None:
    plan = booked_plan(admin, clinic)
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert "The course is booked, so its therapists, services and schedule stay as they are" in page
    assert [name for name in TERM_FIELDS if f'name="{name}"' in page] == []
    assert 'name="goals"' in page and 'name="status"' in page
    physio, massage = clinic.physiotherapists[0], clinic.massage_therapists[0]
    assert f"<dd>{physio.name}, {clinic.physio.name}: 3 sessions, every 7 days</dd>" in page
    assert f"<dd>{massage.name}, {clinic.massage.name}: 3 sessions, every 7 days</dd>" in page
    assert "<dd>Massage right before physiotherapy</dd>" in page and "<dd>2026-12-02</dd>" in page


def test_the_goals_and_status_of_a_booked_plan_are_saved_from_its_page(admin: FlaskClient,
                                                                       clinic: Clinic) -> None:
    plan = booked_plan(admin, clinic)
    saved = admin.post(f"/admin/care-plans/{plan.id}", data={"goals": "Climb stairs", "status": "paused"},
                       follow_redirects=True)
    assert saved.status_code == 200 and "The plan was changed." in saved.get_data(as_text=True)
    db.session.refresh(plan)
    assert (plan.goals, plan.status, plan.physio_sessions) == ("Climb stairs", "paused", 3)
    refused = admin.post(f"/admin/care-plans/{plan.id}", data={"goals": "  ", "status": "paused"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Write the plan&#39;s goals in plain words." in page
    assert [name for name in TERM_FIELDS if f'name="{name}"' in page] == []


def test_a_plan_not_booked_yet_keeps_every_term_editable(admin: FlaskClient, clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert [name for name in TERM_FIELDS if f'name="{name}"' not in page] == []


def test_plans_are_named_by_their_patient_on_every_staff_page(client: FlaskClient, admin: FlaskClient,
                                                              clinic: Clinic) -> None:
    plan = booked_plan(admin, clinic)
    name = "Care plan for Alex Morgan"
    for url in ("/admin/care-plans", f"/admin/care-plans/{plan.id}", f"/staff/care-plans/{plan.id}"):
        page = admin.get(url).get_data(as_text=True)
        assert name in page, url
        assert not re.search(rf"(Care plan|Plan) {plan.id}\b", page), url
    assert f"<title>{name} – " in admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert f"<h1>{name}</h1>" in admin.get(f"/staff/care-plans/{plan.id}").get_data(as_text=True)
    therapist = signed_in(client, StaffUserFactory(therapist=clinic.physiotherapists[0]))
    listed = therapist.get("/staff/care-plans").get_data(as_text=True)
    assert f">{name}</a>" in listed
    visit = db.session.scalars(select(Appointment).where(
        Appointment.care_plan_id == plan.id, Appointment.therapist_id == clinic.physiotherapists[0].id)).first()
    assert visit is not None
    assert f">{name}</a>" in therapist.get(f"/staff/visits/{visit.id}").get_data(as_text=True)


def test_a_plan_whose_patient_is_not_known_yet_is_named_by_when_it_was_made(admin: FlaskClient,
                                                                              clinic: Clinic) -> None:
    plan = made_plan(admin, clinic)
    page = admin.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    assert "<h1>Care plan made Nov 30, 8:00 a.m. (patient not booked yet)</h1>" in page
