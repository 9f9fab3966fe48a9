"""The times page as a patient uses it: the therapist chosen is the one booked, the coming days, the policy."""

from __future__ import annotations

import re
from datetime import time

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment
from tests.appointments.conftest import input_value, slot_buttons
from tests.appointments.pageforms import forms_of, press
from tests.factories import Clinic, Therapist, TherapistFactory

PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199", "consent": "y"}
SUNDAY_NINE_TO_FIVE = [(6, time(9), time(17))]
EIGHT_AM_SUNDAY = "2026-11-01T15:00:00Z"  # 08:00 MST: the others are free, Zoe Marsh is not yet working
TEN_AM_SUNDAY = "2026-11-01T17:00:00Z"


def first_available_on_sunday(client: FlaskClient, clinic: Clinic) -> str:
    """The times page of 1 November for first available."""
    screening = clinic.screenings["physiotherapy"]
    return client.get(f"/book/{screening.id}/times", query_string={
        "service": clinic.physio.code, "therapist": "any", "date": "2026-11-01"}).get_data(as_text=True)


def zoe(clinic: Clinic) -> Therapist:
    """A physiotherapist who works on Sundays from 9 to 5 only (named last: first available picks another)."""
    return TherapistFactory(name="Zoe Marsh", hours=SUNDAY_NINE_TO_FIVE)


def test_a_time_tapped_after_choosing_a_therapist_is_never_booked_with_someone_else(
        client: FlaskClient, clinic: Clinic) -> None:
    therapist = zoe(clinic)
    page = first_available_on_sunday(client, clinic)
    assert EIGHT_AM_SUNDAY in dict(slot_buttons(page))

    answer = press(client, page, EIGHT_AM_SUNDAY, choose={"therapist": str(therapist.id)})
    shown = answer.get_data(as_text=True)
    assert "Your details" not in shown
    assert "Zoe Marsh has no open time at 8:00" in shown
    assert input_value(shown, "therapist") is not None
    assert re.search(rf'<input[^>]*checked[^>]*value="{therapist.id}"|<input[^>]*value="{therapist.id}"[^>]*checked',
                     shown)
    assert slot_buttons(shown)[0][0] == "2026-11-01T16:00:00Z"  # her first time: 9:00
    assert list(db.session.scalars(select(Appointment))) == []


def test_a_time_the_chosen_therapist_has_books_that_therapist(client: FlaskClient, clinic: Clinic) -> None:
    therapist = zoe(clinic)
    page = first_available_on_sunday(client, clinic)
    details = press(client, page, TEN_AM_SUNDAY, choose={"therapist": str(therapist.id)}).get_data(as_text=True)
    assert "Your details" in details and "Zoe Marsh" in details
    (form,) = [f for f in forms_of(details) if f.method == "post"]
    client.post(form.action, data=dict(form.values(PATIENT, "")) | PATIENT)
    (appointment,) = db.session.scalars(select(Appointment))
    assert appointment.therapist_id == therapist.id
