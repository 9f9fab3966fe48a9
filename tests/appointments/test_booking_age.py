"""The booking details ask "Is the patient under 18?" (required online) and only then need the birth date: the
minors' retention rule reads it. A "No" notes the day the patient was an adult, so a patient who booked online is
never kept for ever on the retention's "birth date needed" list."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, Patient
from booking.services.privacy import destruction
from tests.appointments.test_booking import PATIENT, details_form
from tests.factories import Clinic, local

START = local(2026, 10, 30, 10)


def book(client: FlaskClient, clinic: Clinic, **age: str) -> tuple[int, str]:
    """Post the details form for START with these answers; the status and the page."""
    form = details_form(client, clinic, START)
    response = client.post(f"/book/{clinic.screenings['physiotherapy'].id}/details", data={**form, **PATIENT, **age})
    return response.status_code, response.get_data(as_text=True)


def booked_patient() -> Patient:
    """The patient of the one visit booked."""
    return db.session.scalars(select(Appointment)).one().patient


def test_the_form_asks_whether_the_patient_is_under_18(client: FlaskClient, clinic: Clinic) -> None:
    form = details_form(client, clinic, START)
    page = client.get(f"/book/{clinic.screenings['physiotherapy'].id}/details", query_string={
        "service": form["service"], "therapist": "any", "start": form["starts_at"]}).get_data(as_text=True)
    assert "Is the patient under 18?" in page and "If under 18, the patient&#39;s birth date" in page


def test_a_patient_under_18_is_booked_with_their_birth_date(client: FlaskClient, clinic: Clinic) -> None:
    status, _ = book(client, clinic, under_18="yes", birth_date="2012-04-23")
    assert status == 303
    patient = booked_patient()
    assert (patient.birth_date, patient.adult_on) == (date(2012, 4, 23), None)


def test_an_adult_is_noted_as_one_on_the_day_without_a_birth_date(client: FlaskClient, clinic: Clinic) -> None:
    status, _ = book(client, clinic, under_18="no", birth_date="2012-04-23")
    assert status == 303
    patient = booked_patient()
    assert (patient.birth_date, patient.adult_on) == (None, date(2026, 10, 29))


def test_no_answer_is_refused_with_everything_typed_kept(client: FlaskClient, clinic: Clinic) -> None:
    status, page = book(client, clinic, under_18="")
    assert status == 200 and "Say whether the patient is under 18." in page
    assert 'value="Avery Singh"' in page and 'value="Avery@Example.com"' in page and 'value="403 555 0199"' in page
    assert db.session.scalar(select(Appointment)) is None


def test_an_answer_neither_yes_nor_no_is_refused(client: FlaskClient, clinic: Clinic) -> None:
    status, page = book(client, clinic, under_18="maybe")
    assert status == 200 and "Choose Yes or No." in page
    assert db.session.scalar(select(Appointment)) is None


def test_a_patient_who_booked_online_is_not_kept_for_want_of_a_birth_date(client: FlaskClient,
                                                                          clinic: Clinic) -> None:
    status, _ = book(client, clinic, under_18="no")
    assert status == 303
    later = START.replace(year=START.year + 11)
    assert destruction.birth_date_needed(later) == []
    assert [person.patient_id for person in destruction.due(later)] == [booked_patient().id]


def test_without_the_answer_the_same_patient_would_wait_for_a_birth_date(client: FlaskClient,
                                                                         clinic: Clinic) -> None:
    book(client, clinic, under_18="no")
    booked_patient().adult_on = None  # what a blank answer used to leave
    later = START.replace(year=START.year + 11)
    assert [person.patient_id for person in destruction.birth_date_needed(later)] == [booked_patient().id]


@pytest.mark.parametrize(("birth_date", "message"), [
    ("", "Enter the patient&#39;s birth date: a patient under 18 has their records kept"),
    ("2027-01-01", "Enter a birth date in the past, like 2010-04-23."),
    ("2001-03-03", "That birth date makes the patient 18 or older: answer No to &#34;under 18&#34;, or correct the date."),
    ("April 23", "Enter a date like 2026-11-02."),
])
def test_under_18_needs_a_birth_date_that_makes_them_so(client: FlaskClient, clinic: Clinic, birth_date: str,
                                                        message: str) -> None:
    status, page = book(client, clinic, under_18="yes", birth_date=birth_date)
    assert status == 200 and message in page
    assert f'value="{birth_date}"' in page and 'value="Avery Singh"' in page
    assert db.session.scalar(select(Appointment)) is None
