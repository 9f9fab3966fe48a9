"""What the booking pages say: lengths and prices once, plain errors, one time format, and a way back to a visit."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking import create_app
from booking.extensions import db
from booking.models import Appointment, ContactMessage, Notification, Patient
from tests.appointments.conftest import input_value, slot_buttons
from tests.appointments.pageforms import forms_of, press
from tests.conftest import test_settings
from tests.factories import AppointmentFactory, Clinic, ServiceFactory

PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
TWELVE_HOUR = re.compile(r"\d (AM|PM)\b")


def book_on_friday(client: FlaskClient, clinic: Clinic, kind: str = "massage") -> tuple[str, str, str]:
    """Book the first open time of Friday 30 October; the times, details and confirmation pages."""
    screening = clinic.screenings[kind]
    service = clinic.massage if kind == "massage" else clinic.physio
    times = client.get(f"/book/{screening.id}/times", query_string={
        "service": service.code, "date": "2026-10-30"}).get_data(as_text=True)
    details = press(client, times, slot_buttons(times)[0][0]).get_data(as_text=True)
    (form,) = [f for f in forms_of(details) if f.method == "post"]
    confirmation = client.post(form.action, data=dict(form.values(PATIENT, "")) | PATIENT, follow_redirects=True)
    return times, details, confirmation.get_data(as_text=True)


def test_a_length_is_said_once_and_the_price_is_on_the_confirmation(client: FlaskClient, clinic: Clinic) -> None:
    start = client.get(f"/book/{clinic.screenings['massage'].id}").get_data(as_text=True)
    assert "Massage therapy (60 minutes), $95.00" in start
    times, details, confirmation = book_on_friday(client, clinic)
    for page in (start, times, details, confirmation):
        assert page.count("60 minutes") == 1, page
    assert "Your visit is booked" in confirmation
    assert re.search(r"<dt>Price</dt><dd>\$95\.00</dd>", confirmation)


def test_one_time_format_everywhere(client: FlaskClient, clinic: Clinic) -> None:
    times, details, confirmation = book_on_friday(client, clinic)
    assert slot_buttons(times)[0][1] == "8:00 a.m. MDT"
    assert "Friday October 30, 2026 at 8:00 a.m. MDT" in details
    assert "8:00 a.m. MDT to 9:00 a.m. MDT" in confirmation
    for page in (times, details, confirmation):
        assert not TWELVE_HOUR.search(page)


def test_a_new_physiotherapy_patient_sees_the_assessment_first(client: FlaskClient, clinic: Clinic) -> None:
    ServiceFactory(code="physio-follow-up-30", name="Physiotherapy follow-up (30 minutes)", duration_minutes=30)
    page = client.get(f"/book/{clinic.screenings['physiotherapy'].id}").get_data(as_text=True)
    assert page.index("Physiotherapy assessment") < page.index("Physiotherapy follow-up")


@pytest.mark.parametrize(("field", "value", "error"), [
    ("email", "avery.example.com", "An email address needs an @, like name@example.com."),
    ("email", "avery@example", "Enter the whole part after the @, with its dot, like example.com."),
    ("phone", "555 0199", "That phone number is too short: enter all 10 digits with the area code"),
])
def test_email_and_phone_errors_are_in_plain_words(client: FlaskClient, clinic: Clinic, field: str, value: str,
                                                   error: str) -> None:
    screening = clinic.screenings["physiotherapy"]
    details = client.get(f"/book/{screening.id}/details", query_string={
        "service": clinic.physio.code, "start": "2026-10-30T16:00:00Z"}).get_data(as_text=True)
    (form,) = [f for f in forms_of(details) if f.method == "post"]
    page = client.post(form.action, data=dict(form.values(PATIENT, "")) | PATIENT | {field: value}).get_data(
        as_text=True)
    found = re.search(rf'id="{field}-error"><span class="visually-hidden">Error:</span> ([^<]+)</p>', page)
    assert found and found.group(1).startswith(error)
    assert "@-sign" not in page and "period" not in page  # the email library's own wording
    assert input_value(page, field) == value


def test_the_date_hint_names_days_not_a_format_the_field_may_not_show(client: FlaskClient, clinic: Clinic) -> None:
    page = client.get(f"/book/{clinic.screenings['physiotherapy'].id}/times",
                      query_string={"service": clinic.physio.code}).get_data(as_text=True)
    hint = re.search(r'<p class="hint" id="date-hint">([^<]+)</p>', page).group(1)
    assert hint == "Any day from October 29, 2026 to January 27, 2027."


# Manage my booking, for a patient who lost the link -------------------------------------------------

def test_every_page_leads_to_manage_my_booking(client: FlaskClient, clinic: Clinic) -> None:
    for path in ("/", "/screening/", "/book/privacy", f"/book/{clinic.screenings['physiotherapy'].id}"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert '<a href="/book/find">Manage my booking</a>' in page, path


def test_manage_my_booking_gives_the_same_answer_for_any_address_and_owes_that_address_an_email(
        client: FlaskClient, clinic: Clinic) -> None:
    visit = AppointmentFactory(patient__email="avery@example.com")
    ask = client.get("/book/find").get_data(as_text=True)
    assert "We will send the links" in ask and 'name="email"' in ask
    counts = [db.session.scalar(select(func.count()).select_from(table)) for table in (Appointment, Patient,
                                                                                       ContactMessage)]
    answers = []
    for email in (visit.patient.email, "AVERY@example.com", "nobody@example.com"):
        response = client.post("/book/find", data={"email": email})
        assert response.status_code == 303
        answers.append((response.location, client.get(response.location).get_data(as_text=True)))
    assert answers[0] == answers[1] == answers[2]
    location, page = answers[0]
    assert "@" not in location and "avery" not in page and "nobody" not in page
    assert "Check your email" in page and 'href="tel:+14035550142"' in page
    assert counts == [db.session.scalar(select(func.count()).select_from(table)) for table in (Appointment, Patient,
                                                                                              ContactMessage)]
    owed = db.session.scalars(select(Notification).where(Notification.kind == "manage_links")
                              .order_by(Notification.id)).all()
    assert [notice.recipient for notice in owed] == ["avery@example.com", "avery@example.com",
                                                     "nobody@example.com"]


def test_manage_my_booking_explains_a_bad_address_and_keeps_it(client: FlaskClient) -> None:
    response = client.post("/book/find", data={"email": "avery@"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the part after the @" in page and input_value(page, "email") == "avery@"
    empty = client.post("/book/find", data={"email": ""}).get_data(as_text=True)
    assert "Enter the email address you booked with." in empty


@pytest.mark.commits  # the limited app's rows
def test_manage_my_booking_is_rate_limited_like_the_contact_form(database: str, app: Flask) -> None:
    limited = create_app(test_settings(database, RATELIMIT_ENABLED=True, RATELIMIT_CONTACT="2 per hour"),
                         environ={})
    client = limited.test_client()
    statuses = [client.post("/book/find", data={"email": "avery@example.com"}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert client.get("/book/find").status_code == 200


