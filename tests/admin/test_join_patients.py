"""Two records of one person: an admin joins them (side by side first, audited); a plan lands on its patient's record."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, CarePlan, Notification, Patient
from booking.services.care_plans import plans as care_plans
from booking.services.visits import BookingRequest, PatientDetails, book
from tests.admin.test_care_plans_pages import clinic, made_plan, shown_course
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory, local
from tests.staff.test_care_plans_service import details
from tests.staff_fixtures import signed_in

__all__ = ["clinic"]  # the fixture, shared with the care plans' tests
MORGAN = PatientDetails(name="Morgan Fraser", email="morgan@example.com", phone="403-555-0123")


def count(model: type[Any]) -> int:
    """How many rows a table has."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def twins(clinic: Clinic) -> tuple[Patient, Patient]:
    """Two records of Morgan: one booked by phone without email, one online; each with a visit, one with a plan."""
    by_phone = PatientFactory(name="Morgan Fraser", email=None, phone="+14035550123")
    online = PatientFactory(name="Morgan F.", email="morgan@example.com", phone="+14035550123")
    AppointmentFactory(patient=by_phone, service=clinic.physio, therapist=clinic.physiotherapists[0],
                       screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 12, 3, 10))
    AppointmentFactory(patient=online, service=clinic.massage, therapist=clinic.massage_therapists[0],
                       screening=clinic.screenings["massage"], starts_at=local(2026, 12, 4, 10))
    plan = care_plans.create_plan(clinic.screenings["combined"], details(clinic), StaffUserFactory(admin=True))
    plan.patient_id = online.id
    db.session.commit()
    return by_phone, online


def test_joining_shows_both_records_side_by_side_first(admin: FlaskClient, twins: tuple[Patient, Patient]) -> None:
    kept, other = twins
    page = admin.get(f"/admin/patients/{kept.id}").get_data(as_text=True)
    same = page.split("Possibly the same person")[1]
    assert "Morgan F." in same and f'href="/admin/patients/{kept.id}/join/{other.id}"' in same  # same phone
    page = admin.get(f"/admin/patients/{kept.id}/join/{other.id}").get_data(as_text=True)
    first, second = page.split("Joined into it: ")
    assert "Kept: Morgan Fraser" in first and "December 3" in first and "morgan@example.com" not in first
    assert "Morgan F." in second and "December 4" in second and "morgan@example.com" in second
    assert f'href="/admin/patients/{other.id}/join/{kept.id}"' in page  # keep the other one instead
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "joined")) is None
    assert db.session.get(Patient, other.id).merged_into_id is None


def test_an_admin_joins_two_records_and_everything_moves_to_the_kept_one(
        admin: FlaskClient, twins: tuple[Patient, Patient]) -> None:
    kept, other = twins
    kept_id, other_id = kept.id, other.id
    response = admin.post(f"/admin/patients/{kept_id}/join/{other_id}")
    assert response.status_code == 303 and response.location == f"/admin/patients/{kept_id}"
    page = admin.get(response.location).get_data(as_text=True)
    assert "The records are joined: 1 visit moved to this record." in page
    assert "December 3" in page and "December 4" in page and "No other record has this email" in page
    db.session.expire_all()
    assert set(db.session.scalars(select(Appointment.patient_id))) == {kept_id}
    assert db.session.scalar(select(CarePlan.patient_id)) == kept_id
    kept, other = db.session.get(Patient, kept_id), db.session.get(Patient, other_id)
    assert (kept.name, kept.email) == ("Morgan Fraser", "morgan@example.com")  # the missing email filled in
    assert other.merged_into_id == kept_id
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "joined"))
    assert (event.subject_type, event.subject_id) == ("patient", str(kept_id))
    assert event.detail == f"record {other_id} joined into it, 1 visits moved"
    gone = admin.get(f"/admin/patients/{other_id}")
    assert gone.status_code == 303 and gone.location == f"/admin/patients/{kept_id}"
    found = admin.get("/admin/patients?q=morgan").get_data(as_text=True)
    assert "1 record found" in found and "Morgan F." not in found


def test_a_record_cannot_be_joined_twice_or_with_itself(admin: FlaskClient, twins: tuple[Patient, Patient]) -> None:
    kept, other = twins
    kept_id, other_id = kept.id, other.id
    admin.post(f"/admin/patients/{kept_id}/join/{other_id}")
    again = admin.post(f"/admin/patients/{kept_id}/join/{other_id}", follow_redirects=True)
    assert "Those two records cannot be joined" in again.get_data(as_text=True)
    itself = admin.post(f"/admin/patients/{kept_id}/join/{kept_id}", follow_redirects=True)
    assert "Those two records cannot be joined" in itself.get_data(as_text=True)
    assert len(list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "joined")))) == 1


def test_joining_needs_the_forms_token_an_admin_and_known_records(client: FlaskClient, admin: FlaskClient,
                                                                  twins: tuple[Patient, Patient]) -> None:
    kept, other = twins
    assert admin.get(f"/admin/patients/{kept.id}/join/999999").status_code == 404
    signed_in(client, StaffUserFactory())
    assert client.post(f"/admin/patients/{kept.id}/join/{other.id}").status_code == 404
    assert db.session.get(Patient, other.id).merged_into_id is None


def test_a_plan_booked_for_morgan_lands_on_morgans_record(admin: FlaskClient, clinic: Clinic) -> None:
    earlier = book(BookingRequest(screening_id=str(clinic.screenings["combined"].id), service_code=clinic.physio.code,
                                  therapist_id=clinic.physiotherapists[1].id, starts_at=local(2026, 12, 1, 10),
                                  patient=MORGAN, idempotency_key="morgan-1")).appointment
    morgan_id = earlier.patient_id
    plan = made_plan(admin, clinic)
    assert plan.patient_id == morgan_id
    response = admin.post(f"/admin/care-plans/{plan.id}/book",
                          data={**shown_course(admin, plan), "name": "", "email": "", "phone": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert count(Patient) == 1 and count(Appointment) == 7
    assert set(db.session.scalars(select(Appointment.patient_id))) == {morgan_id}
    assert db.session.get(CarePlan, plan.id).patient_id == morgan_id
    page = admin.get(f"/admin/patients/{morgan_id}").get_data(as_text=True)
    assert "No other record has this email address or phone number." in page
    replayed = book(BookingRequest(screening_id=str(clinic.screenings["combined"].id),
                                   service_code=clinic.physio.code, therapist_id=clinic.physiotherapists[1].id,
                                   starts_at=local(2026, 12, 1, 10), patient=MORGAN, idempotency_key="morgan-1"))
    assert replayed.replayed and replayed.appointment.id == earlier.id  # the earlier booking alone, not the course


def test_a_caller_booked_without_email_gets_reminders_once_joined_with_a_record_that_has_one(
        admin: FlaskClient, clinic: Clinic) -> None:
    caller = PatientDetails(name="Morgan Fraser", email=None, phone="403-555-0123")
    visit = book(BookingRequest(screening_id=str(clinic.screenings["physiotherapy"].id),
                                service_code=clinic.physio.code, therapist_id=clinic.physiotherapists[0].id,
                                starts_at=local(2026, 12, 3, 10), patient=caller,
                                booked_by=StaffUserFactory(admin=True))).appointment
    visit_id, kept_id = visit.id, visit.patient_id
    assert count(Notification) == 1  # the therapist's notice alone: nobody to remind
    online = PatientFactory(name="Morgan F.", email="morgan@example.com", phone="+14035550123")
    assert admin.post(f"/admin/patients/{kept_id}/join/{online.id}").status_code == 303
    db.session.expire_all()
    reminders = db.session.scalars(select(Notification).where(Notification.appointment_id == visit_id,
                                                              Notification.kind == "reminder")
                                   .order_by(Notification.due_at))
    assert [(row.offset_minutes, row.due_at, row.status) for row in reminders] == [
        (1440, local(2026, 12, 2, 10), "pending"), (120, local(2026, 12, 3, 8), "pending")]
    # No confirmation after the phone call; the assessment's questions are owed the evening before, as a booking's.
    assert sorted(row.kind for row in db.session.scalars(select(Notification).where(
        Notification.kind != "reminder"))) == ["questionnaire", "therapist_booked"]
    assert db.session.scalars(select(Notification.due_at).where(Notification.kind == "questionnaire")).one() == \
        local(2026, 12, 2, 18)
