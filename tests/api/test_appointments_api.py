"""POST /api/v1/appointments and managing a visit with its token, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment
from tests.factories import Clinic, local, small_clinic
from tests.together import at_once

URL = "/api/v1/appointments"
NOW = local(2026, 11, 30, 8)
TEN = "2026-12-02T10:00:00-07:00"
DEADLINE = local(2026, 12, 1, 10)
TAKEN = "That time was just taken. Please choose another time."


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def booking(clinic: Clinic, *, email: str = "alex@example.com", starts_at: str = TEN,
            therapist: int | None | str = "first", kind: str = "physiotherapy") -> dict[str, Any]:
    """A valid request body (therapist "first": the clinic's first therapist of that kind)."""
    service = clinic.physio if kind == "physiotherapy" else clinic.massage
    therapists = clinic.physiotherapists if kind == "physiotherapy" else clinic.massage_therapists
    return {"screening_id": str(clinic.screenings[kind].id), "service": service.code,
            "therapist_id": therapists[0].id if therapist == "first" else therapist, "starts_at": starts_at,
            "patient": {"name": "Alex Morgan", "email": email, "phone": "403-555-0101"}}


def bearer(token: str) -> dict[str, str]:
    """The header that opens a visit."""
    return {"Authorization": f"Bearer {token}"}


def appointments() -> int:
    """How many appointments are stored."""
    return db.session.scalar(select(func.count()).select_from(Appointment))


def booked(client: FlaskClient, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    """Book and return the created appointment's JSON."""
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_book_then_open_the_visit_with_its_token(client: FlaskClient, clinic: Clinic) -> None:
    response = client.post(URL, json=booking(clinic))
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"] == f"{URL}/{body['id']}"
    assert body["starts_at"] == TEN and body["ends_at"] == "2026-12-02T11:00:00-07:00"
    assert body["cancel_until"] == "2026-12-01T10:00:00-07:00"
    assert body["service"] == {"code": "physio-60", "name": "Physiotherapy assessment"}
    assert body["therapist"]["id"] == clinic.physiotherapists[0].id
    assert (body["status"], body["patient"], body["screening_id"]) == (
        "booked", {"name": "Alex Morgan"}, str(clinic.screenings["physiotherapy"].id))
    shown = client.get(f"{URL}/{body['id']}", headers=bearer(body["manage_token"]))
    assert shown.status_code == 200
    assert shown.json == {key: value for key, value in body.items() if key != "manage_token"}


def test_the_same_idempotency_key_answers_the_same_booking(client: FlaskClient, clinic: Clinic) -> None:
    first = client.post(URL, json=booking(clinic), headers={"Idempotency-Key": "abc-123"})
    again = client.post(URL, json=booking(clinic), headers={"Idempotency-Key": "abc-123"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert appointments() == 1
    other = client.post(URL, json=booking(clinic, starts_at="2026-12-02T12:00:00-07:00"),
                        headers={"Idempotency-Key": "abc-123"})
    assert other.status_code == 422 and list(other.json["errors"]) == ["idempotency_key"]


def test_a_double_submission_without_a_key_is_a_conflict(client: FlaskClient, clinic: Clinic) -> None:
    booked(client, booking(clinic))
    again = client.post(URL, json=booking(clinic))
    assert again.status_code == 409 and again.json == {"error": TAKEN}


def _together(app: Flask, bodies: list[dict[str, Any]], headers: dict[str, str]) -> list[Any]:
    """Send the bodies at the same moment, each from its own thread and client; the responses."""
    clients = [app.test_client() for _ in bodies]
    return at_once([lambda client=client, body=body: client.post(URL, json=body, headers=headers)
                    for client, body in zip(clients, bodies, strict=True)])


@pytest.mark.commits
def test_twenty_five_patients_racing_for_one_slot_get_one_booking(app: Flask, clinic: Clinic) -> None:
    bodies = [booking(clinic, email=f"racer{n}@example.com") for n in range(25)]
    responses = _together(app, bodies, {})
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 24
    assert all(r.json == {"error": TAKEN} for r in responses if r.status_code == 409)
    assert appointments() == 1


@pytest.mark.commits
def test_racing_for_the_first_available_fills_each_therapist_once(app: Flask, clinic: Clinic) -> None:
    bodies = [booking(clinic, email=f"racer{n}@example.com", therapist=None) for n in range(6)]
    statuses = sorted(response.status_code for response in _together(app, bodies, {}))
    assert statuses == [201, 201, 409, 409, 409, 409]


@pytest.mark.commits
def test_concurrent_requests_with_one_key_make_one_booking(app: Flask, clinic: Clinic) -> None:
    responses = _together(app, [booking(clinic)] * 8, {"Idempotency-Key": "same-click"})
    assert {response.status_code for response in responses} == {201}
    assert len({response.json["id"] for response in responses}) == 1
    assert len({response.json["manage_token"] for response in responses}) == 1
    assert appointments() == 1


def test_a_body_that_is_not_json_is_415(client: FlaskClient, clinic: Clinic) -> None:
    response = client.post(URL, data="screening_id=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and "JSON" in response.json["error"]
    assert client.post(URL, json=[1, 2]).status_code == 400


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The body without one key."""
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize(("change", "fields"), [
    (lambda b: _without(b, "screening_id"), {"screening_id"}),
    (lambda b: {**b, "screening_id": "00000000-0000-4000-8000-000000000000"}, {"screening_id"}),
    (lambda b: {**b, "screening_id": 5}, {"screening_id"}),
    (lambda b: _without(b, "service"), {"service"}),
    (lambda b: {**b, "service": "hot-stones"}, {"service"}),
    (lambda b: {**b, "therapist_id": "one"}, {"therapist_id"}),
    (lambda b: {**b, "therapist_id": True}, {"therapist_id"}),
    (lambda b: {**b, "therapist_id": 999_999}, {"therapist_id"}),
    (lambda b: {**b, "therapist_id": 10**30}, {"therapist_id"}),
    (lambda b: _without(b, "starts_at"), {"starts_at"}),
    (lambda b: {**b, "starts_at": "2026-12-02T10:00:00"}, {"starts_at"}),
    (lambda b: {**b, "starts_at": "tomorrow"}, {"starts_at"}),
    (lambda b: {**b, "starts_at": "2026-12-02T03:00:00-07:00"}, {"starts_at"}),
    (lambda b: {**b, "starts_at": "9999-12-31T23:00:00-07:00"}, {"starts_at"}),
    (lambda b: {**b, "starts_at": "0001-01-01T00:00:00+07:00"}, {"starts_at"}),
    (lambda b: _without(b, "patient"), {"patient.name", "patient.email", "patient.phone"}),
    (lambda b: {**b, "patient": {**b["patient"], "name": " "}}, {"patient.name"}),
    (lambda b: {**b, "patient": {**b["patient"], "email": "alex@"}}, {"patient.email"}),
    (lambda b: {**b, "patient": {**b["patient"], "phone": "12"}}, {"patient.phone"}),
    (lambda b: {**b, "patient": {**b["patient"], "phone": 4035550101}}, {"patient.phone"}),
    (lambda b: {**b, "patient": {**b["patient"], "name": "Alex\nMorgan"}}, {"patient.name"}),
    (lambda b: {**b, "patient": {**b["patient"], "email": "alex@example.com\r\nBcc: x@example.com"}},
     {"patient.email"}),
    (lambda b: {**b, "service": "physio-60\n"}, {"service"}),
    (lambda b: {**b, "patient": {**b["patient"], "under_18": "no"}}, {"patient.under_18"}),
    (lambda b: {**b, "patient": {**b["patient"], "under_18": True}}, {"patient.birth_date"}),
    (lambda b: {**b, "patient": {**b["patient"], "under_18": True, "birth_date": "23/04/2012"}},
     {"patient.birth_date"}),
    (lambda b: {**b, "patient": {**b["patient"], "under_18": True, "birth_date": "2001-03-03"}},
     {"patient.birth_date"}),
])
def test_every_invalid_field_is_422_naming_it(client: FlaskClient, clinic: Clinic, change: Any,
                                              fields: set[str]) -> None:
    response = client.post(URL, json=change(booking(clinic)))
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert all(message.strip() for message in response.json["errors"].values())
    assert appointments() == 0


@pytest.mark.parametrize(("age", "kept"), [
    ({}, (None, None)),
    ({"under_18": None, "birth_date": None}, (None, None)),
    ({"under_18": False}, (None, "adult")),
    ({"under_18": True, "birth_date": "2012-04-23"}, (date(2012, 4, 23), None)),
])
def test_the_age_is_optional_and_kept_when_given(client: FlaskClient, clinic: Clinic, age: dict[str, Any],
                                                 kept: tuple[object, object]) -> None:
    body = booking(clinic)
    assert client.post(URL, json={**body, "patient": {**body["patient"], **age}}).status_code == 201
    patient = db.session.scalars(select(Appointment)).one().patient
    assert (patient.birth_date, "adult" if patient.adult_on else None) == kept


def test_a_refer_out_screening_is_422_with_its_advice(client: FlaskClient, clinic: Clinic) -> None:
    body = {**booking(clinic), "screening_id": str(clinic.screenings["refer_out"].id)}
    response = client.post(URL, json=body)
    assert response.status_code == 422 and "911" in response.json["errors"]["screening_id"]


def test_a_service_the_screening_does_not_recommend_is_422(client: FlaskClient, clinic: Clinic) -> None:
    body = {**booking(clinic), "screening_id": str(clinic.screenings["massage"].id)}
    response = client.post(URL, json=body)
    assert response.status_code == 422 and list(response.json["errors"]) == ["service"]


def test_a_wrong_token_or_id_is_the_same_404(client: FlaskClient, clinic: Clinic) -> None:
    first = booked(client, booking(clinic))
    second = booked(client, booking(clinic, starts_at="2026-12-02T12:00:00-07:00"))
    attempts = [
        (first["id"], {}),
        (first["id"], bearer("wrong")),
        (first["id"], bearer(second["manage_token"])),
        (first["id"], {"Authorization": first["manage_token"]}),
        ("not-a-uuid", bearer(first["manage_token"])),
        ("00000000-0000-4000-8000-000000000000", bearer(first["manage_token"])),
    ]
    for appointment_id, headers in attempts:
        for method, path in (("GET", ""), ("POST", "/cancel"), ("POST", "/reschedule")):
            response = client.open(f"{URL}/{appointment_id}{path}", method=method, headers=headers,
                                   json={"starts_at": TEN} if path == "/reschedule" else None)
            assert (response.status_code, response.json) == (404, {"error": "We could not find that page."})
    assert client.get(f"{URL}/{first['id']}", headers=bearer(first["manage_token"])).status_code == 200


def test_cancel_until_the_cut_off_then_call_the_clinic(client: FlaskClient, clinic: Clinic) -> None:
    early = booked(client, booking(clinic))
    late = booked(client, booking(clinic, starts_at="2026-12-02T12:00:00-07:00"))
    with time_machine.travel(DEADLINE - timedelta(seconds=1), tick=False):
        response = client.post(f"{URL}/{early['id']}/cancel", json={"reason": "Feeling better"},
                               headers=bearer(early["manage_token"]))
        assert response.status_code == 200 and response.json["status"] == "cancelled"
    with time_machine.travel(local(2026, 12, 1, 12), tick=False):
        refused = client.post(f"{URL}/{late['id']}/cancel", headers=bearer(late["manage_token"]))
    assert refused.status_code == 409 and "+1 403-555-0142" in refused.json["error"]
    again = client.post(f"{URL}/{early['id']}/cancel", headers=bearer(early["manage_token"]))
    assert again.status_code == 409 and "cancelled" in again.json["error"]
    retaken = booked(client, booking(clinic, email="sam@example.com"))
    assert retaken["starts_at"] == TEN


def test_a_line_break_in_a_name_is_422_naming_the_field(client: FlaskClient, clinic: Clinic) -> None:
    body = booking(clinic)
    body["patient"]["name"] = "Alex\nMorgan"
    response = client.post(URL, json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"patient.name": "Enter this on one line, without line breaks or other "
                                                       "control characters."}
    assert appointments() == 0


def test_a_cancel_reason_may_take_several_lines(client: FlaskClient, clinic: Clinic) -> None:
    visit = booked(client, booking(clinic))
    response = client.post(f"{URL}/{visit['id']}/cancel", json={"reason": "Feeling better.\nThank you!"},
                           headers=bearer(visit["manage_token"]))
    assert response.status_code == 200 and response.json["status"] == "cancelled"


def test_a_cancel_reason_must_be_text(client: FlaskClient, clinic: Clinic) -> None:
    visit = booked(client, booking(clinic))
    response = client.post(f"{URL}/{visit['id']}/cancel", json={"reason": 5}, headers=bearer(visit["manage_token"]))
    assert response.status_code == 422 and list(response.json["errors"]) == ["reason"]
    plain = client.post(f"{URL}/{visit['id']}/cancel", data="x", headers=bearer(visit["manage_token"]))
    assert plain.status_code == 415


def test_reschedule_moves_the_visit_under_the_cut_off(client: FlaskClient, clinic: Clinic) -> None:
    visit = booked(client, booking(clinic))
    booked(client, booking(clinic, email="sam@example.com", starts_at="2026-12-02T14:00:00-07:00"))
    path, headers = f"{URL}/{visit['id']}/reschedule", bearer(visit["manage_token"])
    taken = client.post(path, json={"starts_at": "2026-12-02T14:30:00-07:00"}, headers=headers)
    assert taken.status_code == 409 and taken.json == {"error": TAKEN}
    naive = client.post(path, json={"starts_at": "2026-12-02T15:00:00"}, headers=headers)
    assert naive.status_code == 422 and list(naive.json["errors"]) == ["starts_at"]
    moved = client.post(path, json={"starts_at": "2026-12-03T16:00:00-07:00"}, headers=headers)
    assert moved.status_code == 200
    assert (moved.json["starts_at"], moved.json["id"]) == ("2026-12-03T16:00:00-07:00", visit["id"])
    booked(client, booking(clinic, email="kim@example.com"))  # the old time is free again
    with time_machine.travel(local(2026, 12, 2, 17), tick=False):
        late = client.post(path, json={"starts_at": "2026-12-04T10:00:00-07:00"}, headers=headers)
    assert late.status_code == 409 and "403-555-0142" in late.json["error"]


def test_knowing_someones_email_gives_no_power_over_their_visit(client: FlaskClient, clinic: Clinic) -> None:
    victim = booked(client, booking(clinic))
    stranger = booking(clinic, email="ALEX@Example.COM", starts_at="2026-12-03T10:00:00-07:00")
    stranger["patient"].update(name="Mallory Stranger", phone="587-555-0199")
    booked(client, stranger)
    shown = client.get(f"{URL}/{victim['id']}", headers=bearer(victim["manage_token"]))
    assert shown.json["patient"] == {"name": "Alex Morgan"}


def test_an_idempotency_key_with_another_name_or_phone_is_refused(client: FlaskClient, clinic: Clinic) -> None:
    booked(client, booking(clinic), **{"Idempotency-Key": "abc-123"})
    for change in ({"name": "Mallory Stranger"}, {"phone": "587-555-0199"}):
        body = booking(clinic)
        body["patient"].update(change)
        refused = client.post(URL, json=body, headers={"Idempotency-Key": "abc-123"})
        assert refused.status_code == 422 and list(refused.json["errors"]) == ["idempotency_key"]
    assert appointments() == 1
