"""A patient's history: that record's own visits and screenings; same-email records apart, never merged; audited."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, StaffUser
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory, local
from tests.staff_fixtures import signed_in


def test_the_history_is_the_records_own_and_look_alikes_stay_apart(admin: FlaskClient, admin_user: StaffUser,
                                                                     clinic: Clinic) -> None:
    mine = PatientFactory(name="Avery Singh", email="avery@example.com")
    other = PatientFactory(name="Someone Else", email="avery@example.com")
    own = AppointmentFactory(patient=mine, service=clinic.massage, therapist=clinic.massage_therapists[0],
                             screening=clinic.screenings["massage"], starts_at=local(2026, 11, 2, 10))
    theirs = AppointmentFactory(patient=other, service=clinic.physio, therapist=clinic.physiotherapists[0],
                                screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 11, 3, 10))
    page = admin.get(f"/admin/patients/{mine.id}").get_data(as_text=True)
    history, apart = page.split("Possibly the same person (unverified)")
    assert f"/admin/appointments/{own.id}" in history and f"/admin/appointments/{theirs.id}" not in page
    assert "massage" in history and "Someone Else" not in history
    assert "Someone Else" in apart and f'href="/admin/patients/{other.id}"' in apart
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "viewed")))
    assert [(e.actor_id, e.subject_type, e.subject_id) for e in events] == [
        (admin_user.id, "screening", str(own.screening_id))]


@pytest.mark.parametrize("number", ["999999", str(2**63)])
def test_an_unknown_patient_is_not_found(admin: FlaskClient, number: str) -> None:
    assert admin.get(f"/admin/patients/{number}").status_code == 404


def test_a_therapist_gets_404(client: FlaskClient, clinic: Clinic) -> None:
    signed_in(client, StaffUserFactory())
    assert client.get(f"/admin/patients/{PatientFactory().id}").status_code == 404
