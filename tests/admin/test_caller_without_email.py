"""A caller without email, booked by phone: nothing is emailed to them, and every admin page still works."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Appointment, Notification, NotificationStatus, Patient, StaffUser
from booking.notifications import delivery
from booking.services.visits import (
    BookingRequest,
    CourseRequest,
    InvalidBooking,
    PatientDetails,
    VisitRequest,
    book,
    book_course,
    cancel_together,
)
from tests.admin.test_phone_booking import NOW, admin, admin_user, clinic, screen
from tests.factories import Clinic, local

__all__ = ["admin", "admin_user", "clinic"]  # the fixtures, shared with the phone booking's tests
START = "2026-11-02T17:00:00Z"  # 10:00 MST
PATIENT_KINDS = {"confirmation", "reminder", "rescheduled", "cancelled", "course_confirmation", "course_cancelled"}


def details_page(admin: FlaskClient, booking_page: str, clinic: Clinic) -> str:
    """The caller's details page for 10:00 on November 2 with the first available physiotherapist."""
    return admin.get(f"{booking_page}/details?service={clinic.physio.code}&therapist=any&start={START}"
                     ).get_data(as_text=True)


def post_details(admin: FlaskClient, booking_page: str, clinic: Clinic, **fields: str) -> object:
    """Send the caller's details."""
    return admin.post(f"{booking_page}/details", data={
        "service": clinic.physio.code, "therapist": "any", "starts_at": START, "idempotency_key": "k-1",
        "name": "Robin Caller", "email": "", "phone": "403 555 0177", "consent": "y", **fields})


def kinds_of(visit: Appointment) -> set[str]:
    """The kinds of notification written about the visit."""
    return set(db.session.scalars(select(Notification.kind).where(Notification.appointment_id == visit.id)))


def test_a_caller_without_email_is_booked_and_told_on_the_phone(admin: FlaskClient, clinic: Clinic) -> None:
    booking_page = screen(admin)
    page = details_page(admin, booking_page, clinic)
    assert "Email address (optional)" in page and "Leave it empty if they have no email" in page
    response = post_details(admin, booking_page, clinic)
    visit = db.session.scalar(select(Appointment))
    assert response.status_code == 303 and response.location == f"/admin/appointments/{visit.id}"
    assert (visit.patient.name, visit.patient.email, visit.patient.phone) == ("Robin Caller", None, "+14035550177")
    page = admin.get(response.location).get_data(as_text=True)
    assert "Booked for Robin Caller. Nothing is emailed to them (no email address): tell them the day and time " \
           "on the phone now." in page
    assert "confirmation email" not in page
    assert "This patient has no email address: nothing about this visit is emailed to them." in page
    assert kinds_of(visit) == {"therapist_booked"}  # the therapist hears of it; no confirmation, no reminder


def test_nothing_owed_to_a_caller_without_email_is_left_stuck_or_failed(admin: FlaskClient, clinic: Clinic) -> None:
    post_details(admin, screen(admin), clinic)
    visit = db.session.scalar(select(Appointment))
    moved = admin.post(f"/admin/appointments/{visit.id}/reschedule", data={"starts_at": "2026-11-02T18:00:00Z"})
    assert moved.status_code == 303
    assert "Nothing is emailed to this patient (no email address): tell them on the phone." in \
           admin.get(moved.location).get_data(as_text=True)
    cancelled = admin.post(f"/admin/appointments/{visit.id}/cancel", data={"reason": "Caller is unwell"})
    assert cancelled.status_code == 303
    page = admin.get(cancelled.location).get_data(as_text=True)
    assert "The visit is cancelled. Nothing is emailed to this patient" in page and "Cancelled" in page
    db.session.expire_all()
    assert not kinds_of(visit) & PATIENT_KINDS
    for notification in db.session.scalars(select(Notification)):
        if delivery.claimable(notification, moment()):
            delivery.deliver(notification.id)
    db.session.expire_all()
    statuses = set(db.session.scalars(select(Notification.status)))
    assert statuses <= {NotificationStatus.SENT, NotificationStatus.SKIPPED}


def test_a_reminder_of_a_record_whose_email_is_gone_is_skipped_not_failed(admin: FlaskClient,
                                                                          clinic: Clinic) -> None:
    post_details(admin, screen(admin), clinic, email="robin@example.com")
    visit = db.session.scalar(select(Appointment))
    visit.patient.email = None  # as when the caller is booked again for this record and has no email now
    db.session.commit()
    [reminder] = db.session.scalars(select(Notification).where(Notification.kind == "reminder",
                                                               Notification.offset_minutes == 1440))
    assert delivery.deliver(reminder.id, now=visit.starts_at - timedelta(hours=23)) == NotificationStatus.SKIPPED


def test_the_caller_needs_a_phone_when_no_email_is_given(admin: FlaskClient, clinic: Clinic) -> None:
    booking_page = screen(admin)
    page = post_details(admin, booking_page, clinic, phone="").get_data(as_text=True)
    assert "Enter the caller&#39;s phone number: the clinic reaches them by it if the visit has to move." in page
    assert 'value="Robin Caller"' in page and "your confirmation" not in page
    page = post_details(admin, booking_page, clinic, name="").get_data(as_text=True)
    assert "Enter the caller&#39;s full name." in page
    assert db.session.scalar(select(Appointment)) is None


def test_a_patient_booking_online_still_needs_an_email(clinic: Clinic, admin_user: StaffUser) -> None:
    request = BookingRequest(screening_id=str(clinic.screenings["physiotherapy"].id), service_code=clinic.physio.code,
                             therapist_id=None, starts_at=NOW + timedelta(days=3),
                             patient=PatientDetails("Robin Caller", "", "403 555 0177"))
    with pytest.raises(InvalidBooking) as refused:
        book(request)
    assert re.search("email", refused.value.errors["patient.email"], re.IGNORECASE)
    assert db.session.scalar(select(Patient)) is None


def test_a_pair_booked_for_a_caller_without_email_owes_them_no_course_notice(clinic: Clinic,
                                                                            admin_user: StaffUser) -> None:
    massage = VisitRequest(clinic.massage.code, clinic.massage_therapists[0].id, local(2026, 11, 2, 10))
    physio = VisitRequest(clinic.physio.code, clinic.physiotherapists[0].id, local(2026, 11, 2, 11))
    booked = book_course(CourseRequest(screening_id=str(clinic.screenings["combined"].id), visits=(massage, physio),
                                       patient=PatientDetails("Robin Caller", None, "403 555 0177"),
                                       booked_by=admin_user))
    visits = [item.appointment for item in booked]
    cancel_together(visits, reason="Caller is unwell", by_staff=admin_user)
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert not kinds & PATIENT_KINDS and kinds <= {"therapist_booked", "therapist_cancelled"}
