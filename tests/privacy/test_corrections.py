"""Correction requests, as an admin answers them: recorded with their deadline (on the today page until answered),
a correction keeps the original and shows it to staff as corrected, a refusal keeps the patient's statement and
shows it wherever the record shows; errors say what is wrong with what was typed kept; every change audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from booking.extensions import db
from booking.models import (
    Appointment,
    AuditEvent,
    Correction,
    CorrectionRequest,
    Patient,
    StaffUser,
    VisitNote,
    VisitOutcome,
)
from booking.services import patient_records
from booking.services.privacy.corrections import for_export
from tests.factories import (
    AppointmentFactory,
    Clinic,
    PatientFactory,
    ScreeningFactory,
    StaffUserFactory,
    care_plan,
    local,
)
from tests.staff_fixtures import clinic_with_admin, signed_in

NOW = local(2026, 11, 4, 12)
NOTE = "Patient reports a fall on the ice in 2019"
FUNCTION = "Walks 10 minutes with a cane"

clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    """Every request of these tests at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def therapist(clinic: Clinic) -> StaffUser:
    """The login of the clinic's first physiotherapist, who wrote the note and the outcome."""
    return StaffUserFactory(therapist=clinic.physiotherapists[0])


def patient_with_visit(clinic: Clinic, therapist: StaffUser, name: str = "Robin Caller", hour: int = 9) -> Patient:
    """A patient with a completed visit (at ``hour`` on October 28) carrying a session note and an outcome."""
    patient = PatientFactory(name=name, phone="+14035550101", email=f"{name.split()[0].lower()}@example.com")
    visit = AppointmentFactory(patient=patient, service=clinic.physio, therapist=clinic.physiotherapists[0],
                               screening=ScreeningFactory(), starts_at=local(2026, 10, 28, hour),
                               status="completed")
    db.session.add_all([VisitNote(appointment_id=visit.id, author_id=therapist.id, body=NOTE),
                        VisitOutcome(appointment_id=visit.id, pain=4, function_note=FUNCTION,
                                     recorded_by_id=therapist.id)])
    db.session.commit()
    return patient


def record(client: FlaskClient, patient: Patient, asked: str = "My fall was in 2018, not 2019.",
           received_on: str = "2026-11-02") -> str:
    """Record a correction request through its form; the path of its page."""
    response = client.post(f"/admin/patients/{patient.id}/corrections/new",
                           data={"received_on": received_on, "asked": asked})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def text(response: TestResponse) -> str:
    """A response's page as text."""
    return response.get_data(as_text=True)


def test_a_request_shows_its_deadline_on_the_today_page_until_answered(admin: FlaskClient, clinic: Clinic,
                                                                        therapist: StaffUser) -> None:
    robin = patient_with_visit(clinic, therapist)
    path = record(admin, robin)
    today = text(admin.get("/admin/today")).split('id="corrections-heading"')[1].split("</section>")[0]
    assert "Robin Caller" in today and "answer by December 2, 2026" in today and path in today
    assert "open, answer by December 2, 2026" in text(admin.get(f"/admin/patients/{robin.id}"))
    stored = db.session.scalars(select(CorrectionRequest)).one()
    assert stored.asked == "My fall was in 2018, not 2019." and str(stored.due_on) == "2026-12-02"
    admin.post(f"{path}/refuse", data={"reason": "The note records what the patient said that day.",
                                       "statement": "I said 2018."})
    assert "None: every correction request is answered." in text(admin.get("/admin/today"))


def test_an_overdue_request_says_so(admin: FlaskClient, clinic: Clinic, therapist: StaffUser) -> None:
    record(admin, patient_with_visit(clinic, therapist), received_on="2026-09-01")
    assert "overdue since October 1, 2026" in text(admin.get("/admin/today"))


def test_correcting_a_note_keeps_the_original_and_shows_who_corrected_it(
        admin: FlaskClient, client: FlaskClient, clinic: Clinic, admin_user: StaffUser, therapist: StaffUser) -> None:
    robin = patient_with_visit(clinic, therapist)
    path = record(admin, robin)
    note = db.session.scalars(select(VisitNote)).one()
    picked = text(admin.get(f"{path}?text=note:{note.id}"))
    assert f'value="note:{note.id}"' in picked and f"{NOTE}</textarea>" in picked
    corrected = "Patient reports a fall on the ice in 2018"
    response = admin.post(f"{path}/text", data={"key": f"note:{note.id}", "value": corrected})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(VisitNote, note.id).body == corrected
    kept = db.session.scalars(select(Correction)).one()
    assert (kept.subject_type, kept.subject_id, kept.field, kept.old_value, kept.new_value) == (
        "note", str(note.id), "body", NOTE, corrected)
    assert db.session.scalars(select(CorrectionRequest)).one().decision == "corrected"
    visit = db.session.scalars(select(Appointment)).one()
    page = text(signed_in(client, therapist).get(f"/staff/visits/{visit.id}"))
    assert corrected in page
    assert f"Corrected by {admin_user.email} on November 4, 2026, was: {NOTE}" in page
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "corrected")).all()
    assert (event.subject_type, event.subject_id, event.actor_id) == ("note", str(note.id), admin_user.id)
    assert "2018" not in (event.detail or "") and "2019" not in (event.detail or "")


def test_correcting_contact_details_and_a_function_note_shows_the_old_values(
        admin: FlaskClient, clinic: Clinic, admin_user: StaffUser, therapist: StaffUser) -> None:
    robin = patient_with_visit(clinic, therapist)
    path = record(admin, robin, "My name is Robyn and my phone number changed.")
    response = admin.post(f"{path}/details", data={"name": "Robyn Caller", "email": "robin@example.com",
                                                  "phone": "403-555-0199", "birth_date": ""})
    assert response.status_code == 303
    outcome = db.session.scalars(select(VisitOutcome)).one()
    assert admin.post(f"{path}/text", data={"key": f"outcome:{outcome.id}",
                                             "value": "Walks 20 minutes with a cane"}).status_code == 303
    db.session.expire_all()
    patient = db.session.get(Patient, robin.id)
    assert (patient.name, patient.phone, patient.email) == ("Robyn Caller", "+14035550199", "robin@example.com")
    assert sorted(db.session.scalars(select(Correction.field))) == ["function_note", "name", "phone"]
    page = text(admin.get(f"/admin/patients/{robin.id}"))
    assert f"Corrected by {admin_user.email} on November 4, 2026, was: Robin Caller" in page
    assert "was: +14035550101" in page and f"was: {FUNCTION}" in page and "Walks 20 minutes with a cane" in page
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "corrected")
                                .order_by(AuditEvent.id)).all()
    assert [(event.subject_type, event.detail) for event in events] == [
        ("patient", f"name, phone on correction request {db.session.scalars(select(CorrectionRequest.id)).one()}"),
        ("outcome", f"function_note on correction request {db.session.scalars(select(CorrectionRequest.id)).one()}")]


def test_a_refusal_keeps_the_statement_and_shows_it_wherever_the_record_shows(
        admin: FlaskClient, client: FlaskClient, clinic: Clinic, admin_user: StaffUser, therapist: StaffUser) -> None:
    robin = patient_with_visit(clinic, therapist)
    path = record(admin, robin)
    statement = "I fell in 2018; the note is wrong about the year."
    response = admin.post(f"{path}/refuse", data={"reason": "The note records what the patient said that day.",
                                                  "statement": statement})
    assert response.status_code == 303
    visit = db.session.scalars(select(Appointment)).one()
    plan = care_plan(clinic, clinic.screenings["combined"], robin)
    pages = [text(admin.get(f"/admin/patients/{robin.id}")), text(admin.get(f"/admin/appointments/{visit.id}"))]
    signed_in(client, therapist)
    pages += [text(client.get(f"/staff/visits/{visit.id}")), text(client.get(f"/staff/care-plans/{plan.id}"))]
    for page in pages:
        assert "The patient disagrees with this record" in page and statement in page
        assert "The note records what the patient said that day." in page
    assert db.session.scalars(select(VisitNote.body)).one() == NOTE
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()
    assert (event.subject_type, event.actor_id) == ("correction_request", admin_user.id)
    assert "2018" not in (event.detail or "")
    signed_in(client, admin_user)
    refused = text(admin.get(path))
    assert "Refused on November 4, 2026" in refused and "Correct the contact details" not in refused
    note = db.session.scalars(select(VisitNote)).one()
    late = admin.post(f"{path}/text", data={"key": f"note:{note.id}", "value": "Fell in 2018"})
    assert late.status_code == 400 and "This request was refused" in text(late)


@pytest.mark.parametrize(("data", "message"), [
    ({"received_on": "2026-11-02", "asked": "  "}, "Write what the patient asked to have corrected."),
    ({"received_on": "2026-11-05", "asked": "Fix my name"}, "A request cannot come in after today"),
    ({"received_on": "2026-13-01", "asked": "Fix my name"}, "Enter a date like 2026-11-02."),
    ({"received_on": "2025-01-01", "asked": "Fix my name"}, "over a year ago"),
])
def test_a_request_that_cannot_be_recorded_says_why_with_what_was_typed(
        admin: FlaskClient, clinic: Clinic, therapist: StaffUser, data: dict[str, str], message: str) -> None:
    response = admin.post(f"/admin/patients/{patient_with_visit(clinic, therapist).id}/corrections/new", data=data)
    assert response.status_code == 400
    assert message in text(response) and data["asked"].strip() in text(response)
    assert db.session.scalars(select(CorrectionRequest)).all() == []


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "Robin Caller", "email": "robin@", "phone": "403-555-0101"}, "Enter the part after the @"),
    ({"name": "", "email": "robin@example.com", "phone": "403-555-0101"}, "Enter the patient&#39;s full name."),
    ({"name": "Robin Caller", "email": "robin@example.com", "phone": "555"}, "That phone number is too short"),
    ({"name": "Robin Caller", "email": "robin@example.com", "phone": "403-555-0101", "birth_date": "2030-01-01"},
     "A birth date is before today"),
    ({"name": "Robin Caller", "email": "robin@example.com", "phone": "403-555-0101"}, "Nothing was changed"),
])
def test_details_that_cannot_be_stored_say_why_with_what_was_typed(
        admin: FlaskClient, clinic: Clinic, therapist: StaffUser, data: dict[str, str], message: str) -> None:
    robin = patient_with_visit(clinic, therapist)
    response = admin.post(f"{record(admin, robin)}/details", data=data)
    assert response.status_code == 400
    assert message in text(response) and f'value="{data["phone"]}"' in text(response)
    assert db.session.scalars(select(Correction)).all() == []
    assert db.session.scalars(select(CorrectionRequest.decision)).one() is None


def test_another_persons_note_or_request_cannot_be_reached(admin: FlaskClient, clinic: Clinic,
                                                           therapist: StaffUser) -> None:
    robin, sam = patient_with_visit(clinic, therapist), patient_with_visit(clinic, therapist, "Sam Other", 11)
    path = record(admin, robin)
    sams_note = db.session.scalars(select(VisitNote).join(Appointment).where(Appointment.patient_id == sam.id)).one()
    response = admin.post(f"{path}/text", data={"key": f"note:{sams_note.id}", "value": "Changed"})
    assert response.status_code == 400 and "Choose one of this patient&#39;s notes" in text(response)
    assert admin.get(path.replace(f"/patients/{robin.id}/", f"/patients/{sam.id}/")).status_code == 404
    db.session.expire_all()
    assert db.session.get(VisitNote, sams_note.id).body == NOTE


def test_the_export_holds_the_persons_requests_across_joined_records_and_nothing_of_another(
        admin: FlaskClient, clinic: Clinic, admin_user: StaffUser, therapist: StaffUser) -> None:
    robin, sam = patient_with_visit(clinic, therapist), patient_with_visit(clinic, therapist, "Sam Other", 11)
    second = PatientFactory(name="Robin C.", phone="+14035550101")
    refused = record(admin, second, "Remove the word cane")
    admin.post(f"{refused}/refuse", data={"reason": "Observed at the visit.", "statement": "I never used a cane."})
    record(admin, sam, "Sam's own request")
    patient_records.join(robin, second, admin_user)
    corrected = record(admin, robin)
    note = db.session.scalars(select(VisitNote).join(Appointment).where(Appointment.patient_id == robin.id)).one()
    admin.post(f"{corrected}/text", data={"key": f"note:{note.id}", "value": "A fall on the ice in 2018"})
    assert "I never used a cane." in text(admin.get(f"/admin/patients/{robin.id}"))
    exported = for_export([robin.id, second.id])
    assert [item["asked"] for item in exported] == ["Remove the word cane", "My fall was in 2018, not 2019."]
    assert exported[0]["decision"] == "refused" and exported[0]["statement"] == "I never used a cane."
    assert exported[1]["corrections"] == [{
        "record": "note", "record_id": str(note.id), "field": "body", "old_value": NOTE,
        "new_value": "A fall on the ice in 2018", "corrected_at": NOW.astimezone(UTC).isoformat(),
        "corrected_by": admin_user.email}]
    assert exported[1]["received_on"] == "2026-11-02" and exported[1]["due_on"] == "2026-12-02"
