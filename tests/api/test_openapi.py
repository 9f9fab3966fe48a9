"""The OpenAPI document: valid OpenAPI 3.1, complete, and true to the running endpoints."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings

from booking.api import openapi
from booking.api.openapi import openapi_document
from tests.routing.contract import CONCERNS, PRECAUTIONS, PREFERENCES, RANGES, RED_FLAGS

# Refusals no schema can express, allowed as 422 for schema-valid data on these operations only
# (and only naming these fields, see below): whether a code, id or screening exists, the booking
# window (it moves with the clock), whether a time is open, and whether an email address or phone
# number is real beyond its form, or whether a name holds an invisible character a pattern misses,
# and whether a birth date agrees with the answer "under 18" (a date in the past that makes them so).
DATA_DEPENDENT = {
    "listSlots": {"service", "from", "to", "therapist_id", "screening"},
    "listTherapists": {"screening"},
    "createAppointment": {"screening_id", "service", "therapist_id", "starts_at", "patient.name", "patient.email",
                          "patient.phone", "patient.birth_date"},
}
CONFIG = schemathesis.Config.from_dict({"operations": [
    {"include-operation-id": operation, "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "404", "409", "422", "429"]}}}
    for operation in DATA_DEPENDENT]})
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


def served(app: Flask) -> dict[str, Any]:
    """The document as the app serves it."""
    body: dict[str, Any] = app.test_client().get("/api/v1/openapi.json").json
    return body


def test_served_document_is_valid_openapi_3_1(app: Flask) -> None:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded.validate()
    assert loaded.raw_schema == openapi_document()
    assert loaded.raw_schema["openapi"].startswith("3.1")


def test_every_api_endpoint_is_documented(app: Flask) -> None:
    documented = {(path, method) for path, item in served(app)["paths"].items() for method in item}
    routes = {
        (re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routes


def test_answers_schema_follows_the_contract(app: Flask) -> None:
    document = served(app)
    answers = document["components"]["schemas"]["ScreeningAnswers"]
    properties = answers["properties"]
    assert answers["additionalProperties"] is False
    for key, codes in [("concerns", CONCERNS), ("red_flags", RED_FLAGS), ("precautions", PRECAUTIONS)]:
        assert set(properties[key]["items"]["enum"]) == set(codes)
    assert set(properties["preference"]["enum"]) == set(PREFERENCES)
    for key, (low, high) in RANGES.items():
        assert (properties[key]["type"], properties[key]["minimum"], properties[key]["maximum"]) == (
            "integer", low, high)
    responses = document["paths"]["/screenings"]["post"]["responses"]
    assert {"201", "415", "422", "429"} <= set(responses)


# Every check runs: status codes, content types, bodies and headers as documented, negative
# data rejected, schema-valid data accepted, unsupported methods, never a 500.
@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_responses_conform_to_the_document(case: schemathesis.Case, app: Flask) -> None:
    """Generated requests, valid and invalid, get documented responses and never a 500."""
    response = case.call_and_validate(app=app)
    if case.meta and case.meta.generation.mode.is_positive and response.status_code == 422:
        assert set(response.json()["errors"]) <= DATA_DEPENDENT[case.operation.definition.raw["operationId"]]


def test_two_modules_may_not_describe_the_same_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openapi, "DOCUMENTED_MODULES", ("booking.api.screenings", "booking.api.screenings"))
    with pytest.raises(RuntimeError, match="redefines"):
        openapi.openapi_document()
