"""A pregnant patient's massage is offered only with a therapist trained in prenatal massage, on the web pages."""

from __future__ import annotations

from datetime import time

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, Screening, Therapist, TherapistQualification
from tests.appointments.conftest import radio_options, slot_buttons
from tests.appointments.pageforms import forms_of, press
from tests.factories import Clinic, ScreeningFactory, TherapistFactory

PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
PREGNANT = {"concerns": ["relaxation"], "precautions": ["pregnancy"]}
NINE_AM_SUNDAY = "2026-11-01T16:00:00Z"  # 09:00 MST, when the trained therapist starts
EIGHT_AM_SUNDAY = "2026-11-01T15:00:00Z"  # the others are free then; she is not working yet
CALL_US = "Please call us at +1 403-555-0142"


def trained_therapist() -> Therapist:
    """A massage therapist trained in prenatal massage, who works on Sundays from 9 to 5 only."""
    return TherapistFactory(name="Nadia Brooks", therapy_type="massage", hours=[(6, time(9), time(17))],
                            trained=[TherapistQualification(code="prenatal_massage")])


def times_page(client: FlaskClient, clinic: Clinic, screening: Screening, **query: str) -> str:
    """The massage times page of 1 November for this screening."""
    return client.get(f"/book/{screening.id}/times", query_string={
        "service": clinic.massage.code, "therapist": "any", "date": "2026-11-01", **query}).get_data(as_text=True)


def test_a_pregnant_patient_is_offered_only_the_therapist_trained_in_prenatal_massage(
        client: FlaskClient, clinic: Clinic) -> None:
    nadia = trained_therapist()
    page = times_page(client, clinic, ScreeningFactory(answers=PREGNANT))
    assert [label for _, label in radio_options(page, "therapist")] == ["First available", "Nadia Brooks"]
    starts = dict(slot_buttons(page))
    assert EIGHT_AM_SUNDAY not in starts and NINE_AM_SUNDAY in starts

    details = press(client, page, NINE_AM_SUNDAY).get_data(as_text=True)
    (form,) = [f for f in forms_of(details) if f.method == "post"]
    client.post(form.action, data=dict(form.values(PATIENT, "")) | PATIENT)
    (booked,) = db.session.scalars(select(Appointment))
    assert booked.therapist_id == nadia.id


def test_a_patient_who_is_not_pregnant_is_offered_every_massage_therapist(client: FlaskClient,
                                                                          clinic: Clinic) -> None:
    trained_therapist()
    page = times_page(client, clinic, clinic.screenings["massage"])
    assert len(radio_options(page, "therapist")) == 4
    assert EIGHT_AM_SUNDAY in dict(slot_buttons(page))


def test_with_no_trained_therapist_a_pregnant_patient_is_told_to_call(client: FlaskClient, clinic: Clinic) -> None:
    page = times_page(client, clinic, ScreeningFactory(answers=PREGNANT))
    assert slot_buttons(page) == []
    assert [label for _, label in radio_options(page, "therapist")] == ["First available"]
    assert "needs a therapist trained in prenatal massage" in page and CALL_US in page


def test_an_untrained_therapist_asked_for_in_the_address_is_not_booked(client: FlaskClient, clinic: Clinic) -> None:
    nadia = trained_therapist()
    untrained = clinic.massage_therapists[0]
    screening = ScreeningFactory(answers=PREGNANT)
    page = times_page(client, clinic, screening, therapist=str(untrained.id))
    assert EIGHT_AM_SUNDAY not in dict(slot_buttons(page))  # read as first available: hers only
    details = client.get(f"/book/{screening.id}/details", query_string={
        "service": clinic.massage.code, "therapist": str(untrained.id), "start": NINE_AM_SUNDAY})
    (form,) = [f for f in forms_of(details.get_data(as_text=True)) if f.method == "post"]
    client.post(form.action, data=dict(form.values(PATIENT, "")) | PATIENT)
    (booked,) = db.session.scalars(select(Appointment))
    assert booked.therapist_id == nadia.id
