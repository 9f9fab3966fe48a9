"""An admin marks a visit completed or a no-show from its page: the rule the therapists' page follows (a booked
visit that has begun), attributed to the admin in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, AuditEvent, StaffUser
from tests.factories import AppointmentFactory, Clinic, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 11, 4, 11)

clinic, admin_user, admin = clinic_with_admin(NOW)


def visit(clinic: Clinic, hours: int = -1, status: str = "booked") -> Appointment:
    """A visit of the clinic's first physiotherapist, ``hours`` from now."""
    return AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                              screening=clinic.screenings["physiotherapy"], starts_at=NOW + timedelta(hours=hours),
                              status=status)


@pytest.mark.parametrize(("outcome", "button", "said", "status"), [
    ("completed", "Mark completed", "The visit is marked completed.", AppointmentStatus.COMPLETED),
    ("no_show", "Mark as no-show", "The visit is marked a no-show.", AppointmentStatus.NO_SHOW),
])
def test_an_admin_marks_a_visit_that_has_begun(admin: FlaskClient, admin_user: StaffUser, clinic: Clinic,
                                               outcome: str, button: str, said: str,
                                               status: AppointmentStatus) -> None:
    seen = visit(clinic)
    page = admin.get(f"/admin/appointments/{seen.id}").get_data(as_text=True)
    assert f'action="/admin/appointments/{seen.id}/outcome"' in page and button in page
    response = admin.post(f"/admin/appointments/{seen.id}/outcome", data={"outcome": outcome})
    assert response.status_code == 303 and response.location == f"/admin/appointments/{seen.id}"
    db.session.expire_all()
    assert db.session.get(Appointment, seen.id).status == status
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "changed"))
    assert (event.actor_id, event.subject_id, event.detail) == (admin_user.id, str(seen.id), f"status: {outcome}")
    page = admin.get(response.location).get_data(as_text=True)
    assert said in page and f"<strong>{status.label}</strong>" in page and "Mark completed" not in page


def test_a_visit_still_to_come_cannot_be_marked(admin: FlaskClient, clinic: Clinic) -> None:
    later = visit(clinic, hours=3)
    page = admin.get(f"/admin/appointments/{later.id}").get_data(as_text=True)
    assert "Mark completed" not in page and "Once the visit has begun you can mark it" in page
    response = admin.post(f"/admin/appointments/{later.id}/outcome", data={"outcome": "completed"})
    assert response.status_code == 409
    assert "This visit has not started yet, so it cannot be marked completed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appointment, later.id).status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(("data", "status", "message"), [
    ({}, 400, "Choose whether the visit was completed or a no-show."),
    ({"outcome": "vanished"}, 400, "Choose whether the visit was completed or a no-show."),
])
def test_a_form_without_an_outcome_is_refused_plainly(admin: FlaskClient, clinic: Clinic, data: dict[str, str],
                                                      status: int, message: str) -> None:
    seen = visit(clinic)
    response = admin.post(f"/admin/appointments/{seen.id}/outcome", data=data)
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_a_cancelled_visit_cannot_be_marked(admin: FlaskClient, clinic: Clinic) -> None:
    gone = visit(clinic, status="cancelled")
    assert "Mark completed" not in admin.get(f"/admin/appointments/{gone.id}").get_data(as_text=True)
    response = admin.post(f"/admin/appointments/{gone.id}/outcome", data={"outcome": "no_show"})
    assert response.status_code == 409
    assert "This visit was cancelled, so it cannot be marked a no-show." in response.get_data(as_text=True)
