"""Bad input gets a clear error, never a 500: body size, JSON bodies, extreme dates, control characters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, ContactMessage
from booking.services.visits import derive_manage_token
from tests.factories import AppointmentFactory, Clinic, local, small_clinic

NOW = local(2026, 11, 30, 8)
PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199"}
MESSAGE = {"name": "Avery Singh", "email": "avery@example.com", "message": "Do you offer evening visits?"}
EXTREMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z"]
DEEP = "[" * 30_000 + "]" * 30_000
NUL_ERROR = "invisible control character"


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def visit_token(clinic: Clinic) -> tuple[Appointment, str]:
    """A booked visit and its manage token."""
    appointment = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                                     screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 12, 3, 10))
    return appointment, derive_manage_token(appointment.id)


def booked() -> int:
    """How many appointments are stored."""
    return db.session.scalar(select(func.count()).select_from(Appointment)) or 0


# Size ---------------------------------------------------------------------------------------

def test_a_body_over_64_kib_is_413_as_json_for_the_api(client: FlaskClient) -> None:
    response = client.post("/api/v1/screenings", data='{"concerns": "' + "x" * 65 * 1024 + '"}',
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json == {"error": "That request was too large. Please send less, or give us a call."}


def test_a_body_over_64_kib_is_413_as_a_page_for_forms(client: FlaskClient) -> None:
    response = client.post("/", data={**MESSAGE, "message": "x" * 65 * 1024})
    assert response.status_code == 413 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "That request was too large" in page and "+1 403-555-0142" in page
    assert db.session.scalar(select(func.count()).select_from(ContactMessage)) == 0


def test_a_body_under_the_limit_is_read(client: FlaskClient) -> None:
    response = client.post("/", data={**MESSAGE, "message": "x" * 60 * 1024})
    assert response.status_code == 200 and "Write between 10 and 2,000 characters" in response.get_data(as_text=True)


# JSON bodies --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/screenings", "/api/v1/appointments"])
@pytest.mark.parametrize(("body", "reason"), [
    (DEEP, "it is nested too deeply."),
    ('{"a": 1', "Expecting ',' delimiter at line 1, column 8."),
    ('{"concerns": [], "concerns": ["relaxation"]}', "The key 'concerns' appears twice in one object"),
    ('{"age": NaN}', "NaN is not a JSON number."),
    ('{"age": 1' + "0" * 5000 + "}", "a number in it is too long."),
    (b'{"name": "\xff"}', "it is not UTF-8 text."),
])
def test_json_that_cannot_be_read_is_400_saying_why(client: FlaskClient, path: str, body: str, reason: str) -> None:
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"].startswith("We could not read the JSON body: ")
    assert reason in response.json["error"]


def test_deep_json_to_managing_a_visit_is_400(client: FlaskClient, clinic: Clinic) -> None:
    appointment, token = visit_token(clinic)
    for action in ("cancel", "reschedule"):
        response = client.post(f"/api/v1/appointments/{appointment.id}/{action}", data=DEEP,
                               content_type="application/json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400 and "nested too deeply" in response.json["error"]


def test_an_array_instead_of_an_object_is_400_saying_so(client: FlaskClient) -> None:
    response = client.post("/api/v1/appointments", json=[{"service": "physio-60"}])
    assert response.status_code == 400
    assert response.json == {"error": 'Send a JSON object (like {"key": "value"}) as the body.'}


# Extreme dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("start", EXTREMES)
def test_extreme_dates_on_the_booking_page_are_a_validation_error(
        client: FlaskClient, clinic: Clinic, start: str) -> None:
    screening = clinic.screenings["physiotherapy"]
    response = client.post(f"/book/{screening.id}/details", data={
        **PATIENT, "under_18": "no", "consent": "y", "service": clinic.physio.code, "therapist": "any", "starts_at": start})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose a time for your visit." in page and 'value="Avery Singh"' in page
    assert booked() == 0
    opened = client.get(f"/book/{screening.id}/details", query_string={"service": clinic.physio.code,
                                                                        "start": start})
    assert opened.status_code == 302


@pytest.mark.parametrize("start", EXTREMES)
def test_extreme_dates_on_the_reschedule_page_are_a_validation_error(
        client: FlaskClient, clinic: Clinic, start: str) -> None:
    appointment, token = visit_token(clinic)
    response = client.post(f"/book/manage/{token}/reschedule", data={"starts_at": start})
    assert response.status_code == 200 and "Choose a time for your visit." in response.get_data(as_text=True)
    assert client.get(f"/book/manage/{token}/reschedule", query_string={"start": start}).status_code == 200
    db.session.refresh(appointment)
    assert appointment.starts_at == local(2026, 12, 3, 10)


@pytest.mark.parametrize("start", EXTREMES)
def test_extreme_dates_in_the_api_are_422_naming_the_field(client: FlaskClient, clinic: Clinic, start: str) -> None:
    body = {"screening_id": str(clinic.screenings["physiotherapy"].id), "service": clinic.physio.code,
            "starts_at": start, "patient": PATIENT}
    response = client.post("/api/v1/appointments", json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"starts_at": "Give a date and time with its UTC offset, "
                                                    "like 2026-12-01T09:00:00-07:00."}
    appointment, token = visit_token(clinic)
    moved = client.post(f"/api/v1/appointments/{appointment.id}/reschedule", json={"starts_at": start},
                        headers={"Authorization": f"Bearer {token}"})
    assert moved.status_code == 422 and list(moved.json["errors"]) == ["starts_at"]


@pytest.mark.parametrize(("first", "last"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")])
def test_extreme_days_in_the_slot_search_are_422(client: FlaskClient, clinic: Clinic, first: str, last: str) -> None:
    response = client.get("/api/v1/slots", query_string={"service": clinic.physio.code, "from": first, "to": last})
    assert response.status_code == 422 and "from" in response.json["errors"]


# Control characters -------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["name", "message"])
def test_a_nul_in_the_contact_form_is_a_field_error_and_nothing_is_stored(client: FlaskClient, field: str) -> None:
    response = client.post("/", data={**MESSAGE, field: MESSAGE[field] + "\x00"})
    assert response.status_code == 200
    assert NUL_ERROR in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ContactMessage)) == 0


@pytest.mark.parametrize("field", ["name", "email", "phone"])
def test_a_nul_in_the_booking_form_is_a_field_error(client: FlaskClient, clinic: Clinic, field: str) -> None:
    screening = clinic.screenings["physiotherapy"]
    response = client.post(f"/book/{screening.id}/details", data={
        **PATIENT, field: PATIENT[field] + "\x00", "under_18": "no", "consent": "y", "service": clinic.physio.code,
        "therapist": "any", "starts_at": "2026-12-02T17:00:00Z"})
    assert response.status_code == 200 and NUL_ERROR in response.get_data(as_text=True)
    assert booked() == 0


def test_a_nul_in_a_cancel_reason_is_a_field_error(client: FlaskClient, clinic: Clinic) -> None:
    appointment, token = visit_token(clinic)
    response = client.post(f"/book/manage/{token}/cancel", data={"reason": "Sick\x00"})
    assert response.status_code == 200 and NUL_ERROR in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status == "booked"


@pytest.mark.parametrize("text", ["physio-60\x00", "physio-\ud800", "\x1b[31m"])
def test_control_characters_in_the_api_are_422_naming_the_field(client: FlaskClient, clinic: Clinic,
                                                                 text: str) -> None:
    body = {"screening_id": str(clinic.screenings["physiotherapy"].id), "service": text,
            "starts_at": "2026-12-02T10:00:00-07:00", "patient": {**PATIENT, "name": f"Avery {text}"}}
    response = client.post("/api/v1/appointments", json=body)
    assert response.status_code == 422
    assert NUL_ERROR in response.json["errors"]["service"] and NUL_ERROR in response.json["errors"]["patient.name"]
    assert booked() == 0
