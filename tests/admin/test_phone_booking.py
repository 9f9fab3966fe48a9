"""Booking for a phone caller: the same screening asked by an admin, the same booking path, audited changes."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.forms.screening import QUESTION
from booking.forms.visits import format_start
from booking.models import Appointment, AuditEvent, Notification, Screening, StaffUser
from booking.outbox import PATIENT_NOTICE
from booking.services.visits import BookingRequest, ChangeNotAllowed, PatientDetails, SlotTaken, book, cancel
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, local
from tests.staff_fixtures import clinic_with_admin, signed_in

NOW = local(2026, 10, 29, 9)
FLAGS = [option["code"] for option in QUESTION["red_flags"]["options"]]
NO_FLAGS = {code: "no" for code in FLAGS}


clinic, admin_user, admin = clinic_with_admin(NOW)


def screen(admin: FlaskClient, *, red_flag: str | None = None) -> str:
    """Answer the caller's screening step by step; the address it ends on."""
    response = admin.post("/admin/book", data={"concerns": ["chronic_pain"], "action": "continue"})
    assert response.status_code == 303 and response.location == "/admin/book/warning-signs"
    flags = {**NO_FLAGS, **({red_flag: "yes"} if red_flag else {})}
    response = admin.post("/admin/book/warning-signs", data={**flags, "action": "continue"})
    if red_flag:
        return response.location
    assert response.location == "/admin/book/health"
    assert admin.post("/admin/book/health", data={"action": "continue"}).location == "/admin/book/details"
    response = admin.post("/admin/book/details", data={"pain_level": "4", "symptom_weeks": "6",
                                                      "preference": "no_preference", "action": "continue"})
    assert response.status_code == 303
    return response.location


def audit_rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_admin_screens_a_caller_and_books_the_visit_for_them(admin: FlaskClient, admin_user: StaffUser,
                                                                clinic: Clinic) -> None:
    page = admin.get("/admin/book").get_data(as_text=True)
    assert QUESTION["concerns"]["text"] in page and "Sign out" in page and "Step 1 of 4" in page
    booking_page = screen(admin)
    screening_id = booking_page.rsplit("/", 1)[1]
    assert [e.subject_id for e in audit_rows("created")] == [screening_id]
    page = admin.get(booking_page).get_data(as_text=True)
    assert "Physiotherapy assessment" in page
    assert [e.subject_id for e in audit_rows("viewed")] == [screening_id]  # the services follow from it
    page = admin.get(f"{booking_page}?service={clinic.physio.code}&date=2026-11-02").get_data(as_text=True)
    starts = re.findall(r'name="start" value="([^"]+)"', page)
    assert "2026-11-02T17:00:00Z" in starts  # 10:00 MST
    response = admin.get(f"{booking_page}?service={clinic.physio.code}&therapist=any&date=2026-11-02"
                         "&start=2026-11-02T17:00:00Z")
    assert response.status_code == 302 and "/details?" in response.location
    page = admin.get(response.location).get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page)
    assert key and "The caller has heard the privacy notice" in page
    with time_machine.travel(NOW, tick=False):
        response = admin.post(f"{booking_page}/details", data={
            "service": clinic.physio.code, "therapist": "any", "starts_at": "2026-11-02T17:00:00Z",
            "idempotency_key": key.group(1), "name": "Robin Caller", "email": "Robin@Example.com",
            "phone": "403 555 0177", "consent": "y"})
    appointment = db.session.scalar(select(Appointment))
    assert response.status_code == 303 and response.location == f"/admin/appointments/{appointment.id}"
    assert (appointment.patient.name, appointment.patient.email, appointment.patient.phone) == (
        "Robin Caller", "robin@example.com", "+14035550177")
    # The age question is optional at the desk: a caller may not know; the admin sets it later.
    assert (appointment.patient.birth_date, appointment.patient.adult_on) == (None, None)
    assert str(appointment.screening_id) == screening_id and appointment.starts_at == local(2026, 11, 2, 10)
    [booked] = audit_rows("booked")
    assert (booked.actor_id, booked.subject_type, booked.subject_id) == (admin_user.id, "appointment",
                                                                         str(appointment.id))
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.appointment_id == appointment.id)))
    assert PATIENT_NOTICE["booked"] in kinds
    assert "Robin Caller" in admin.get(response.location).get_data(as_text=True)


def test_the_callers_details_are_checked_and_kept(admin: FlaskClient, clinic: Clinic) -> None:
    booking_page = screen(admin)
    with time_machine.travel(NOW, tick=False):
        response = admin.post(f"{booking_page}/details", data={
            "service": clinic.physio.code, "therapist": "any", "starts_at": "2026-11-02T17:00:00Z",
            "name": "Robin Caller", "email": "robin@", "phone": "12", "consent": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and 'value="Robin Caller"' in page
    assert db.session.scalar(select(Appointment)) is None


def test_a_red_flag_shows_the_advice_to_read_and_books_nothing(admin: FlaskClient, clinic: Clinic) -> None:
    emergency = next(o["code"] for o in QUESTION["red_flags"]["options"] if o["urgency"] == "emergency")
    booking_page = screen(admin, red_flag=emergency)
    screening = db.session.get(Screening, uuid.UUID(booking_page.rsplit("/", 1)[1]))
    assert screening.pathway == "refer_out" and screening.urgency == "emergency"
    page = admin.get(booking_page).get_data(as_text=True)
    assert "Do not book" in page and "call 911" in page and 'name="start"' not in page
    with time_machine.travel(NOW, tick=False):
        page = admin.post(f"{booking_page}/details", data={
            "service": clinic.physio.code, "therapist": "any", "starts_at": "2026-11-02T17:00:00Z",
            "name": "Robin Caller", "email": "robin@example.com", "phone": "403 555 0177",
            "consent": "y"}).get_data(as_text=True)
    assert "Do not book" in page and db.session.scalar(select(Appointment)) is None
    assert [e.subject_id for e in audit_rows("viewed")] == [str(screening.id), str(screening.id)]


def soon_visit(clinic: Clinic, hours: int = 2) -> Appointment:
    """A visit inside the patients' 24-hour cut-off."""
    return AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                              screening=clinic.screenings["physiotherapy"], starts_at=NOW + timedelta(hours=hours))


def test_an_admin_cancels_inside_the_cut_off_and_it_is_attributed(admin: FlaskClient, admin_user: StaffUser,
                                                                  clinic: Clinic) -> None:
    visit = soon_visit(clinic)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ChangeNotAllowed):
            cancel(visit)  # the patient's path: refused after the cut-off
        response = admin.post(f"/admin/appointments/{visit.id}/cancel", data={"reason": "Caller is unwell"})
    assert response.status_code == 303
    db.session.expire_all()
    visit = db.session.get(Appointment, visit.id)
    assert visit.status == "cancelled" and visit.cancellation_reason == "Caller is unwell"
    [event] = audit_rows("cancelled")
    assert (event.actor_id, event.subject_id) == (admin_user.id, str(visit.id))
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.appointment_id == visit.id)))
    assert PATIENT_NOTICE["cancelled"] in kinds
    assert "The visit is cancelled" in admin.get(response.location).get_data(as_text=True)


def test_an_admin_moves_a_visit_inside_the_cut_off(admin: FlaskClient, admin_user: StaffUser,
                                                   clinic: Clinic) -> None:
    visit = soon_visit(clinic, hours=4)
    new = NOW + timedelta(hours=6)
    with time_machine.travel(NOW, tick=False):
        page = admin.get(f"/admin/appointments/{visit.id}/reschedule?start={format_start(new)}")
        assert "Yes, move the visit" in page.get_data(as_text=True)
        response = admin.post(f"/admin/appointments/{visit.id}/reschedule",
                              data={"starts_at": new.astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).starts_at == new
    [event] = audit_rows("rescheduled")
    assert (event.actor_id, event.subject_id) == (admin_user.id, str(visit.id))


def test_a_callers_time_taken_meanwhile_answers_409_with_other_times(admin: FlaskClient, clinic: Clinic) -> None:
    booking_page = screen(admin)
    therapist = clinic.physiotherapists[0]
    AppointmentFactory(service=clinic.physio, therapist=therapist, starts_at=local(2026, 11, 2, 10))  # just taken
    with time_machine.travel(NOW, tick=False):
        response = admin.post(f"{booking_page}/details", data={
            "service": clinic.physio.code, "therapist": str(therapist.id), "starts_at": "2026-11-02T17:00:00Z",
            "idempotency_key": uuid.uuid4().hex, "name": "Robin Caller", "email": "", "phone": "403 555 0177",
            "consent": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "just taken" in page
    assert 'value="2026-11-02T18:00:00Z"' in page and 'value="Robin Caller"' in page  # 11:00 offered, name kept
    assert db.session.scalar(select(Appointment).where(Appointment.patient.has(name="Robin Caller"))) is None


def test_an_admin_moving_a_visit_to_a_time_taken_meanwhile_gets_409_with_other_times(admin: FlaskClient,
                                                                                     clinic: Clinic) -> None:
    visit = soon_visit(clinic, hours=4)
    taken = AppointmentFactory(service=clinic.physio, therapist=visit.therapist, starts_at=NOW + timedelta(hours=30))
    with time_machine.travel(NOW, tick=False):
        response = admin.post(f"/admin/appointments/{visit.id}/reschedule",
                              data={"starts_at": f"{taken.starts_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "just taken" in page and 'type="radio"' in page
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).starts_at == visit.starts_at


def test_a_booking_refused_leaves_no_audit_row(admin_user: StaffUser, clinic: Clinic) -> None:
    taken = soon_visit(clinic, hours=30)
    request = BookingRequest(screening_id=str(clinic.screenings["physiotherapy"].id), service_code=clinic.physio.code,
                             therapist_id=taken.therapist_id, starts_at=taken.starts_at,
                             patient=PatientDetails("Robin Caller", "robin@example.com", "403 555 0177"),
                             booked_by=admin_user)
    with time_machine.travel(NOW, tick=False), pytest.raises(SlotTaken):
        book(request)
    assert audit_rows("booked") == []


def test_a_therapist_cannot_book_for_a_caller(client: FlaskClient, clinic: Clinic) -> None:
    signed_in(client, StaffUserFactory())
    assert client.get("/admin/book").status_code == 404
    assert client.get("/admin/book/warning-signs").status_code == 404


