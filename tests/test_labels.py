"""One home for the words of every status, role and screening code: the enums' labels and the triage's mappings,
shown the same on staff pages, the patient's page, in lists and in forms."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, CarePlanStatus, StaffRole, StaffUser
from booking.routing import PATHWAY_LABELS, PATHWAYS, QUESTIONS, THERAPY_LABELS, THERAPY_TYPES
from booking.services.visits import derive_manage_token
from tests.factories import AppointmentFactory, Clinic, PatientFactory, ScreeningFactory, StaffUserFactory, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 11, 4, 9)

clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.mark.parametrize("status", [*AppointmentStatus, *CarePlanStatus, *StaffRole])
def test_every_status_and_role_has_words(status: AppointmentStatus | CarePlanStatus | StaffRole) -> None:
    assert status.label[0].isupper() and "_" not in status.label


@pytest.mark.parametrize("status", list(AppointmentStatus))
def test_every_visit_status_reads_in_a_sentence_and_on_the_patients_page(status: AppointmentStatus) -> None:
    assert status.phrase.islower() and "_" not in status.phrase
    assert status.patient_label[0].isupper() and "_" not in status.patient_label


def test_every_pathway_and_therapy_type_has_words() -> None:
    assert set(PATHWAY_LABELS) == set(PATHWAYS) and set(THERAPY_LABELS) == set(THERAPY_TYPES)
    preference = next(question for question in QUESTIONS if question["key"] == "preference")
    offered = {option["code"]: option["text"] for option in preference["options"]}  # type: ignore[attr-defined]
    assert all(offered[kind] == label.capitalize() for kind, label in THERAPY_LABELS.items())


def test_a_status_set_as_text_or_read_back_is_its_member(clinic: Clinic) -> None:
    visit = AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0], status="no_show")
    assert visit.status.label == "No-show"
    db.session.expire_all()
    assert db.session.scalar(select(Appointment.status).where(Appointment.id == visit.id)).label == "No-show"


def test_a_missed_visit_is_a_no_show_to_staff_and_missed_to_its_patient(admin: FlaskClient, clinic: Clinic) -> None:
    visit = AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0],
                               patient=PatientFactory(name="Avery Singh"), starts_at=local(2026, 11, 3, 10),
                               status=AppointmentStatus.NO_SHOW)
    listed = admin.get("/admin/appointments").get_data(as_text=True)
    assert '<td data-label="Status" class="status status--no_show">No-show</td>' in listed
    assert '<span class="hint">(massage therapy)</span>' in listed
    options = [f'value="{status.value}">{status.label}</option>' for status in AppointmentStatus]
    assert all(option in listed for option in options)
    assert [listed.index(option) for option in options] == sorted(listed.index(option) for option in options)
    page = admin.get(f"/admin/appointments/{visit.id}").get_data(as_text=True)
    assert "<strong>No-show</strong>" in page
    own_page = admin.get(f"/book/manage/{derive_manage_token(visit.id)}").get_data(as_text=True)
    assert "Status: <strong>Missed</strong>" in own_page


def test_the_patients_page_names_the_pathway(admin: FlaskClient, clinic: Clinic) -> None:
    patient = PatientFactory(name="Morgan Fraser")
    AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0], patient=patient,
                       screening=ScreeningFactory(answers={"concerns": ["athletic_performance"]}),
                       starts_at=local(2026, 11, 5, 10))
    page = admin.get(f"/admin/patients/{patient.id}").get_data(as_text=True)
    assert "pathway <strong>Combined care (physiotherapy and massage therapy)</strong>" in page


def test_the_staff_logins_name_each_role(admin: FlaskClient, admin_user: StaffUser, clinic: Clinic) -> None:
    therapist = StaffUserFactory(therapist=clinic.massage_therapists[0])
    page = admin.get("/admin/staff-logins").get_data(as_text=True)
    assert f'<td data-label="Role">Therapist:\n        <a href="/admin/therapists/{therapist.therapist_id}"' in page
    assert '<td data-label="Role">Admin</td>' in page
