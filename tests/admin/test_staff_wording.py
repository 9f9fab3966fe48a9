"""Staff pages show cautions in clinical words; the admin sees a caller's reasons and cautions before booking."""

from __future__ import annotations

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, Screening
from tests.factories import AppointmentFactory, Clinic, ScreeningFactory, StaffUserFactory, local
from tests.staff_fixtures import clinic_with_admin, signed_in

NOW = local(2026, 10, 29, 9)
PREGNANT = {"concerns": ["relaxation"], "precautions": ["pregnancy"]}
STAFF_WORDS = "Pregnant: avoid prone positioning after the first trimester; side-lying with support"
PATIENT_WORDS = "You are pregnant"
REASON = "You want to relax and feel well"


clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.fixture
def pregnant() -> Screening:
    return ScreeningFactory(answers=PREGNANT)


@pytest.fixture
def booked(clinic: Clinic, pregnant: Screening) -> Appointment:
    return AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0], screening=pregnant,
                              starts_at=local(2026, 10, 30, 10))


def viewed() -> list[tuple[str, str | None]]:
    return [(e.subject_type, e.subject_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "viewed").order_by(AuditEvent.id))]


def test_the_therapists_visit_page_uses_the_clinical_wording_a_tap_from_the_schedule(
        client: FlaskClient, clinic: Clinic, booked: Appointment) -> None:
    therapist = StaffUserFactory(therapist=booked.therapist)
    with time_machine.travel(NOW, tick=False):
        signed_in(client, therapist)
        schedule = client.get("/staff/schedule?day=2026-10-30").get_data(as_text=True)
        assert "Caution" in schedule and f'href="/staff/visits/{booked.id}"' in schedule
        assert PATIENT_WORDS not in schedule  # the schedule marks the caution; the visit's page words it
        page = client.get(f"/staff/visits/{booked.id}").get_data(as_text=True)
        assert STAFF_WORDS in page and PATIENT_WORDS not in page


def test_the_patients_result_page_keeps_the_patients_wording(client: FlaskClient, pregnant: Screening) -> None:
    page = client.get(f"/screening/{pregnant.id}").get_data(as_text=True)
    assert PATIENT_WORDS in page and STAFF_WORDS not in page


def test_the_admins_patient_page_uses_the_clinical_wording(admin: FlaskClient, booked: Appointment) -> None:
    page = admin.get(f"/admin/patients/{booked.patient_id}").get_data(as_text=True)
    assert STAFF_WORDS in page and PATIENT_WORDS not in page


def test_the_admins_visit_page_shows_the_reasons_and_cautions_and_is_audited(admin: FlaskClient,
                                                                            booked: Appointment) -> None:
    page = admin.get(f"/admin/appointments/{booked.id}").get_data(as_text=True)
    assert STAFF_WORDS in page and REASON in page and PATIENT_WORDS not in page
    assert viewed() == [("appointment", str(booked.id))]


def test_booking_for_a_caller_shows_the_reasons_and_cautions_before_the_service_and_is_audited(
        admin: FlaskClient, pregnant: Screening) -> None:
    page = admin.get(f"/admin/book/{pregnant.id}").get_data(as_text=True)
    assert "Choose a service" in page and 'name="service"' in page
    assert page.index(STAFF_WORDS) < page.index('name="service"') and page.index(REASON) < page.index('name="service"')
    assert PATIENT_WORDS not in page
    assert viewed() == [("screening", str(pregnant.id))]
