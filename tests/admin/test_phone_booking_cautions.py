"""Booking for a caller whose screening carries cautions: only trained therapists, and the cautions shown first."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, Screening, TherapistQualification
from tests.appointments.conftest import radio_options
from tests.factories import Clinic, ScreeningFactory, local
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 10, 29, 9)
PREGNANT = {"concerns": ["relaxation"], "precautions": ["pregnancy"]}
MONDAY_TEN = "2026-11-02T17:00:00Z"


clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.fixture
def pregnant() -> Screening:
    return ScreeningFactory(answers=PREGNANT)


def times(admin: FlaskClient, clinic: Clinic, screening: Screening) -> str:
    return admin.get(f"/admin/book/{screening.id}", query_string={
        "service": clinic.massage.code, "therapist": "any", "date": "2026-11-02"}).get_data(as_text=True)


def test_a_pregnant_caller_is_offered_and_booked_only_the_trained_therapist(admin: FlaskClient, clinic: Clinic,
                                                                          pregnant: Screening) -> None:
    trained, untrained = clinic.massage_therapists[1], clinic.massage_therapists[0]
    trained.trained.append(TherapistQualification(code="prenatal_massage"))
    db.session.commit()
    page = times(admin, clinic, pregnant)
    assert [label for _, label in radio_options(page, "therapist")] == ["First available", trained.name]
    assert MONDAY_TEN in re.findall(r'name="start" value="([^"]+)"', page)
    with time_machine.travel(NOW, tick=False):
        response = admin.post(f"/admin/book/{pregnant.id}/details", data={
            "service": clinic.massage.code, "therapist": str(untrained.id), "starts_at": MONDAY_TEN,
            "name": "Robin Caller", "email": "robin@example.com", "phone": "403 555 0177", "consent": "y"})
    assert response.status_code == 303
    assert db.session.scalar(select(Appointment.therapist_id)) == trained.id


def test_with_no_trained_therapist_the_admin_is_told_so_in_the_admins_words(admin: FlaskClient, clinic: Clinic,
                                                                            pregnant: Screening) -> None:
    page = unescape(times(admin, clinic, pregnant))
    assert 'name="start"' not in page
    assert ("No therapist trained in prenatal massage has an open time for this visit: offer the caller another "
            "day, or add the qualification to a therapist on their page (Therapists).") in page
    assert "we can offer online" not in page  # the patient's words


def test_booking_the_first_available_with_no_trained_therapist_tells_the_admin_in_the_admins_words(
        admin: FlaskClient, clinic: Clinic, pregnant: Screening) -> None:
    with time_machine.travel(NOW, tick=False):  # a time kept from before the qualification went, say
        response = admin.post(f"/admin/book/{pregnant.id}/details", data={
            "service": clinic.massage.code, "therapist": "any", "starts_at": MONDAY_TEN,
            "name": "Robin Caller", "email": "", "phone": "403 555 0177", "consent": "y"})
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert ("No therapist trained in prenatal massage has an open time for this visit: offer the caller another "
            "day, or add the qualification to a therapist on their page (Therapists).") in page
    assert "Please call us" not in page  # the patient's words
    assert "Robin Caller" in page and db.session.scalar(select(Appointment.id)) is None
