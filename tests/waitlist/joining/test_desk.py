"""The front desk puts a caller on the waitlist from the caller's times page, and a care plan's session that could
not be placed waits as the plan's entry."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, CarePlan, StaffUser, WaitlistEntry
from tests.appointments.conftest import input_value
from tests.factories import Clinic, PatientFactory, StaffUserFactory, TherapistFactory
from tests.staff_fixtures import signed_in
from tests.waitlist.joining.conftest import WHEN

CALLER = {"name": "Sam Okafor", "email": "", "phone": "403 555 0123", "consent": "y"}


def _link(page: str, text: str) -> str:
    return unescape(re.search(rf'href="([^"]+)">{re.escape(text)}</a>', page).group(1))


def test_the_desk_puts_a_caller_without_email_on_the_list(client: FlaskClient, clinic: Clinic, now: datetime) -> None:
    desk: StaffUser = StaffUserFactory(admin=True)
    signed_in(client, desk)
    screening = clinic.screenings["physiotherapy"]
    times = client.get(f"/admin/book/{screening.id}", query_string={"service": clinic.physio.code}).get_data(
        as_text=True)
    form_url = _link(times, "Put on the waitlist")
    assert "Email address (optional)" in client.get(form_url).get_data(as_text=True)
    answer = client.post(f"/admin/book/{screening.id}/waitlist",
                         data={"service": clinic.physio.code, **WHEN, **CALLER})
    assert answer.status_code == 303
    (entry,) = db.session.scalars(select(WaitlistEntry))
    assert answer.location == f"/admin/patients/{entry.patient_id}"
    assert entry.patient.email is None and entry.joined_by_id == desk.id
    assert "the clinic calls them when a time opens" in client.get(answer.location).get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "waitlist_entry")).one()


def test_the_desk_must_give_a_phone_and_the_callers_agreement(client: FlaskClient, clinic: Clinic,
                                                            now: datetime) -> None:
    signed_in(client, StaffUserFactory(admin=True))
    screening = clinic.screenings["physiotherapy"]
    page = client.post(f"/admin/book/{screening.id}/waitlist", data={
        "service": clinic.physio.code, **WHEN, **CALLER, "phone": "", "consent": ""}).get_data(as_text=True)
    assert "Enter the caller&#39;s phone number: the clinic calls them by it when a time opens." in page
    assert "Tick the box once the caller agrees to the privacy notice." in page
    assert input_value(page, "name") == "Sam Okafor"
    assert db.session.scalars(select(WaitlistEntry)).all() == []


def test_a_plans_unplaced_session_waits_as_the_plans_entry(client: FlaskClient, clinic: Clinic, now: datetime) -> None:
    admin: StaffUser = StaffUserFactory(admin=True)
    signed_in(client, admin)
    away = TherapistFactory(name="Away Therapist", therapy_type="massage", hours=[])  # nothing can be placed with her
    patient = PatientFactory(name="Alex Morgan")
    plan = CarePlan(patient_id=patient.id, screening_id=clinic.screenings["combined"].id,
                    physiotherapist_id=clinic.physiotherapists[0].id, massage_therapist_id=away.id,
                    physio_service_id=clinic.physio.id, massage_service_id=clinic.massage.id, goals="Run again",
                    physio_sessions=1, physio_cadence_days=7, massage_sessions=1, massage_cadence_days=7,
                    tolerance_days=1, back_to_back=False, starts_on=date(2026, 11, 4), created_by_id=admin.id)
    db.session.add(plan)
    db.session.commit()
    page = client.get(f"/admin/care-plans/{plan.id}").get_data(as_text=True)
    form_url = _link(page, "Put this massage therapy session on the waitlist")
    form = client.get(form_url).get_data(as_text=True)
    assert input_value(form, "name") == "Alex Morgan"
    assert f'<option selected value="{away.id}">' in form
    assert all(f'checked id="days-{day}"' in form for day in range(7))
    answer = client.post(form_url, data={"service": clinic.massage.code, "therapist": str(away.id),
                                         "days": [str(day) for day in range(7)], "parts": ["morning", "afternoon"],
                                         "until": "2026-12-15", "name": "Alex Morgan", "email": "alex@example.com",
                                         "phone": "403 555 0101", "consent": "y"})
    assert answer.status_code == 303
    assert answer.location == f"/admin/care-plans/{plan.id}"
    (entry,) = db.session.scalars(select(WaitlistEntry))
    assert entry.care_plan_id == plan.id and entry.patient_id == patient.id and entry.joined_by_id == admin.id
    assert entry.service_id == clinic.massage.id and entry.therapist_id == away.id
