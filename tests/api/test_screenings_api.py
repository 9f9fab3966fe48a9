"""POST /api/v1/screenings and GET /api/v1/screening/questions, per the screening contract."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking import create_app
from booking.extensions import db
from booking.models import Screening
from booking.routing import RULES_VERSION
from tests.conftest import test_settings
from tests.routing.contract import CONCERNS, KEYS, PRECAUTIONS, PREFERENCES, RED_FLAGS
from tests.routing.vignettes import is_invalid, load_vignettes

URL = "/api/v1/screenings"
VIGNETTES = load_vignettes()
VALID = [v for v in VIGNETTES if not is_invalid(v)]
INVALID = [v for v in VIGNETTES if is_invalid(v)]


def stored() -> list[Screening]:
    """Every stored screening."""
    return list(db.session.scalars(db.select(Screening)))


@pytest.mark.parametrize("vignette", VALID, ids=[v["id"] for v in VALID])
def test_valid_vignette_is_screened_and_stored(client: FlaskClient, vignette: dict[str, Any]) -> None:
    response = client.post(URL, json=vignette["answers"])
    assert response.status_code == 201
    body = response.json
    assert body is not None
    assert (body["pathway"], body["urgency"], body["therapy_types"]) == (
        vignette["pathway"], vignette["urgency"], vignette["therapy_types"])
    cautions = {c["code"] for c in body["cautions"]}
    assert set(vignette["cautions"]) <= cautions and not set(vignette["no_cautions"]) & cautions
    assert body["reasons"] and body["rules_version"] == RULES_VERSION
    assert response.headers["Location"] == f"/screening/{body['id']}"
    [screening] = stored()
    assert str(screening.id) == body["id"]
    assert screening.answers == vignette["answers"]
    assert {"id": body["id"], **screening.recommendation} == body
    assert (screening.pathway, screening.urgency, screening.rules_version) == (
        vignette["pathway"], vignette["urgency"], RULES_VERSION)


@pytest.mark.parametrize("vignette", INVALID, ids=[v["id"] for v in INVALID])
def test_invalid_vignette_is_422_naming_each_key(client: FlaskClient, vignette: dict[str, Any]) -> None:
    response = client.post(URL, json=vignette["answers"])
    assert response.status_code == 422
    errors = response.json["errors"]
    for key in vignette["errors"]:
        assert errors[key].strip()
    assert stored() == []


@pytest.mark.parametrize(("answers", "key"), [
    ({"concerns": ["chronic_pain"], "diagnosis": "sciatica"}, "diagnosis"),
    ({"concerns": ["back_ache"]}, "concerns"),
    ({"concerns": ["relaxation"], "red_flags": ["dizzy"]}, "red_flags"),
    ({"concerns": ["relaxation"], "precautions": ["diabetes"]}, "precautions"),
    ({"concerns": "chronic_pain"}, "concerns"),
    ({"concerns": ["relaxation", 3]}, "concerns"),
    ({"concerns": ["relaxation"], "red_flags": None}, "red_flags"),
    ({"concerns": ["relaxation"], "pain_level": "5"}, "pain_level"),
    ({"concerns": ["relaxation"], "pain_level": True}, "pain_level"),
    ({"concerns": ["relaxation"], "pain_level": 4.5}, "pain_level"),
    ({"concerns": ["relaxation"], "pain_level": -1}, "pain_level"),
    ({"concerns": ["relaxation"], "pain_level": 11}, "pain_level"),
    ({"concerns": ["relaxation"], "symptom_weeks": 2601}, "symptom_weeks"),
    ({"concerns": ["post_surgery"], "weeks_since_surgery": 521}, "weeks_since_surgery"),
    ({"concerns": ["post_surgery"]}, "weeks_since_surgery"),
    ({"concerns": ["relaxation"], "preference": "chiropractic"}, "preference"),
    ({"concerns": [], "red_flags": []}, "concerns"),
    ({}, "concerns"),
])
def test_every_kind_of_invalid_answer_is_422_naming_the_field(
        client: FlaskClient, answers: dict[str, Any], key: str) -> None:
    response = client.post(URL, json=answers)
    assert response.status_code == 422
    assert response.json["errors"][key].strip()
    assert stored() == []


@pytest.mark.parametrize("body", ["[]", '"chronic_pain"', "3", "null", '[{"concerns": ["relaxation"]}]'])
def test_json_that_is_not_an_object_is_422(client: FlaskClient, body: str) -> None:
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["answers"]


@pytest.mark.parametrize(("body", "content_type"), [
    ('{"concerns": ["relaxation"]}', "text/plain"),
    ("concerns=relaxation", "application/x-www-form-urlencoded"),
    ("", None),
])
def test_a_body_that_is_not_json_is_415(client: FlaskClient, body: str, content_type: str | None) -> None:
    response = client.post(URL, data=body, content_type=content_type)
    assert response.status_code == 415
    assert response.json == {"error": "Send the request body as JSON (Content-Type: application/json)."}
    assert stored() == []


@pytest.mark.parametrize(("body", "reason"), [
    ('{"concerns": ["relaxation"', "line 1, column 27"),
    ("", "line 1, column 1"),
    ("[" * 30_000 + "]" * 30_000, "nested too deeply"),
])
def test_json_that_cannot_be_read_is_400_saying_why(client: FlaskClient, body: str, reason: str) -> None:
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"].startswith("We could not read the JSON body") and reason in response.json["error"]
    assert stored() == []


def test_questions_list_every_code_of_the_contract(client: FlaskClient) -> None:
    body = client.get("/api/v1/screening/questions").json
    assert body["rules_version"] == RULES_VERSION
    questions = {q["key"]: q for q in body["questions"]}
    assert set(questions) == set(KEYS)
    for key, codes in [("concerns", CONCERNS), ("red_flags", RED_FLAGS), ("precautions", PRECAUTIONS),
                       ("preference", PREFERENCES)]:
        assert {option["code"] for option in questions[key]["options"]} == set(codes)
        assert all(option["text"].strip() for option in questions[key]["options"])
    assert (questions["pain_level"]["min"], questions["pain_level"]["max"]) == (0, 10)


@pytest.mark.commits  # the limited app's rows
def test_screening_is_rate_limited_with_a_json_429(app: Flask) -> None:
    limited = create_app(test_settings(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True,
                                       RATELIMIT_SCREENING="2 per hour"), environ={})
    client = limited.test_client()
    statuses = [client.post(URL, json={"concerns": ["relaxation"]}).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    response = client.post(URL, json={"concerns": ["relaxation"]})
    assert response.status_code == 429 and response.is_json
    assert "Too many requests" in response.json["error"]


@pytest.mark.parametrize(("flag", "urgency"), [("chest_pain", "emergency"), ("fever_with_pain", "urgent")])
def test_a_red_flag_needs_no_weeks_since_surgery(client: FlaskClient, flag: str, urgency: str) -> None:
    response = client.post(URL, json={"concerns": ["post_surgery"], "red_flags": [flag]})
    assert response.status_code == 201
    assert (response.json["pathway"], response.json["urgency"], response.json["therapy_types"]) == (
        "refer_out", urgency, [])
    assert stored()[0].answers == {"concerns": ["post_surgery"], "red_flags": [flag]}


def test_screening_stores_the_normalised_answers_not_the_body(client: FlaskClient) -> None:
    body = {"preference": "massage", "precautions": ["pregnancy", "blood_clot"] * 300,
            "concerns": ["relaxation", "chronic_pain"] * 1000, "weeks_since_surgery": 3}
    response = client.post(URL, json=body)
    assert response.status_code == 201
    [screening] = stored()
    assert screening.answers == {"concerns": ["chronic_pain", "relaxation"],
                                 "precautions": ["blood_clot", "pregnancy"], "preference": "massage"}
    assert list(screening.answers) == ["concerns", "precautions", "preference"]


@pytest.mark.parametrize(("answers", "valid"), [
    ({"concerns": ["post_surgery"], "red_flags": ["chest_pain"]}, True),
    ({"concerns": ["post_surgery"], "weeks_since_surgery": 3}, True),
    ({"concerns": ["post_surgery"], "red_flags": []}, False),
    ({"concerns": ["post_surgery"]}, False),
])
def test_the_documented_answers_schema_agrees_on_the_weeks_since_surgery(
        client: FlaskClient, answers: dict[str, Any], valid: bool) -> None:
    document = client.get("/api/v1/openapi.json").json
    schema = document["components"]["schemas"]["ScreeningAnswers"]
    assert jsonschema_rs.validator_for(schema).is_valid(answers) is valid
    assert client.post(URL, json=answers).status_code == (201 if valid else 422)
