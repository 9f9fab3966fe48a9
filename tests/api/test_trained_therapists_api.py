"""The API offers a pregnant patient's massage only with a therapist trained in prenatal massage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, Screening, TherapistQualification
from tests.factories import Clinic, ScreeningFactory, local, small_clinic

NOW = local(2026, 11, 30, 8)
TEN = "2026-12-02T10:00:00-07:00"
PREGNANT = {"concerns": ["relaxation"], "precautions": ["pregnancy"]}


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


@pytest.fixture
def pregnant() -> Screening:
    return ScreeningFactory(answers=PREGNANT)


def train(clinic: Clinic) -> int:
    """Train the second massage therapist in prenatal massage; their id."""
    therapist = clinic.massage_therapists[1]
    therapist.trained.append(TherapistQualification(code="prenatal_massage"))
    db.session.commit()
    return therapist.id


def slots(client: FlaskClient, clinic: Clinic, screening: Screening, **query: Any) -> dict[str, Any]:
    return client.get("/api/v1/slots", query_string={"service": clinic.massage.code, "from": "2026-12-02",
                                                     "to": "2026-12-02", "screening": str(screening.id),
                                                     **query}).get_json()


def booking(clinic: Clinic, screening: Screening, therapist_id: int | None) -> dict[str, Any]:
    return {"screening_id": str(screening.id), "service": clinic.massage.code, "therapist_id": therapist_id,
            "starts_at": TEN, "patient": {"name": "Alex Morgan", "email": "alex@example.com",
                                          "phone": "403-555-0101"}}


def test_only_the_trained_therapist_is_listed_and_offered(client: FlaskClient, clinic: Clinic,
                                                          pregnant: Screening) -> None:
    trained = train(clinic)
    listed = client.get("/api/v1/therapists", query_string={"therapy_type": "massage",
                                                            "screening": str(pregnant.id)}).get_json()
    assert [t["id"] for t in listed["therapists"]] == [trained]
    found = slots(client, clinic, pregnant)["slots"]
    assert found and {slot["therapist_id"] for slot in found} == {trained}
    untrained = clinic.massage_therapists[0].id
    answer = client.get("/api/v1/slots", query_string={"service": clinic.massage.code, "from": "2026-12-02",
                                                       "to": "2026-12-02", "screening": str(pregnant.id),
                                                       "therapist_id": untrained})
    assert answer.status_code == 422
    assert "trained in prenatal massage" in answer.get_json()["errors"]["therapist_id"]


def test_booking_a_pregnant_patient_takes_the_trained_therapist(client: FlaskClient, clinic: Clinic,
                                                               pregnant: Screening) -> None:
    trained = train(clinic)
    untrained = clinic.massage_therapists[0]
    refused = client.post("/api/v1/appointments", json=booking(clinic, pregnant, untrained.id))
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["therapist_id"] == (
        f"This visit needs a therapist trained in prenatal massage, and {untrained.name} is not. "
        "Choose another therapist, or the first available.")
    made = client.post("/api/v1/appointments", json=booking(clinic, pregnant, None))
    assert made.status_code == 201
    assert db.session.scalar(select(Appointment.therapist_id)) == trained


def test_with_no_trained_therapist_the_api_says_to_call(client: FlaskClient, clinic: Clinic,
                                                        pregnant: Screening) -> None:
    answer = slots(client, clinic, pregnant)
    assert answer["slots"] == []
    assert "Please call us at +1 403-555-0142" in answer["notice"]
    refused = client.post("/api/v1/appointments", json=booking(clinic, pregnant, None))
    assert refused.status_code == 422
    assert "Please call us at +1 403-555-0142" in refused.get_json()["errors"]["starts_at"]
    assert db.session.scalar(select(Appointment.id)) is None


def test_an_unknown_screening_is_named(client: FlaskClient, clinic: Clinic) -> None:
    answer = client.get("/api/v1/therapists", query_string={"screening": "not-a-screening"})
    assert answer.status_code == 422 and "screening" in answer.get_json()["errors"]
