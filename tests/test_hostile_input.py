"""Hostile input of every kind, to every form route and every JSON endpoint, never answers 5xx.

The routes come from app.url_map, so a new route is covered without editing this test. Each
field a route takes (found in its page's forms and links, or in the OpenAPI document for the
API) gets each hostile value in turn while the others stay valid, so that the value travels as
deep as a real request would; every path argument gets hostile values too. Runs on both databases.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from booking.api.openapi import openapi_document
from booking.services.visits import derive_manage_token
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, local, small_clinic
from tests.staff_fixtures import signed_in

NOW = local(2026, 11, 30, 8)
START = "2026-12-02T17:00:00Z"

HOSTILE_TEXT: list[str] = [
    "", " ", "\x00", "Avery\x00Singh", "\x1b[2J\x07\x08", "\u202eevil\u200b\ufeff", "😀" * 40, "x" * 20_000,
    "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "-1", "0", "1.5", "1e309", "NaN",
    str(2**63), str(-(2**63) - 1), "9" * 5000, "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
    "0001-01-01", "9999-12-31", "2026-02-30", "00000000-0000-0000-0000-00000000000g", "true", "null",
]
HOSTILE_JSON: list[Any] = [
    *HOSTILE_TEXT, "\ud800", None, True, False, 0, -1, 2**63, -(2**63) - 1, 10**400, 1.5, -0.0, 1e308,
    [], [None], ["\x00"], {}, {"nested": {"deeper": []}}, [[[[[]]]]],
]
HOSTILE_BODIES: list[str | bytes] = [
    "", "null", "[]", "[{}]", '"text"', "0", str(2**63), "{", "}", '{"a": 1,}', '{"a": NaN}',
    '{"service": "a", "service": "b"}', b'{"name": "\xff\xfe"}', "[" * 20_000 + "]" * 20_000,
    '{"a":' * 5_000 + "1" + "}" * 5_000, "[" + "{}," * 10_000 + "{}]", "\ufeff{}",
]
HOSTILE_PATH: list[str] = [str(2**63), "-1", "00000000-0000-0000-0000-00000000000g", "%00", "x" * 2000,
                           "..%2F..%2Fetc", "%F0%9F%98%80", "null"]


def valid_values(clinic: Clinic, token: str) -> dict[str, Any]:
    """A valid value for each field name the app uses, to keep the other fields valid."""
    patient = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199"}
    return {
        "service": clinic.physio.code, "therapist": "any", "therapist_id": clinic.physiotherapists[0].id,
        "therapy_type": "physiotherapy", "date": "2026-12-02", "from": "2026-12-02", "to": "2026-12-03",
        "start": START, "starts_at": START, "under_18": "no", "consent": "y", "idempotency_key": "key-1", "reason": "Feeling better",
        "message": "Do you offer evening visits?", "screening_id": str(clinic.screenings["physiotherapy"].id),
        "concerns": ["relaxation"], "patient": patient, **patient,
    }


def path_values(clinic: Clinic, appointment_id: str, token: str) -> dict[str, str]:
    """A real value for each path argument (the values of the clinic's visit)."""
    return {"screening_id": str(clinic.screenings["physiotherapy"].id), "token": token,
            "appointment_id": appointment_id, "filename": "css/site.css"}


def build(rule: Rule, arguments: dict[str, str]) -> str:
    """The rule's path with these arguments in place."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda match: arguments.get(match.group(1), "x"), rule.rule)


def page_fields(client: FlaskClient, url: str) -> set[str]:
    """The names of the fields in a page's forms and in the query strings of its links."""
    page = client.get(url).get_data(as_text=True)
    names = set(re.findall(r'\bname="([^"]+)"', page))
    names |= set(re.findall(r"[?&](?:amp;)?([A-Za-z_]+)=", page))
    return names - {"csrf_token", "viewport"}


def api_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Each documented API operation by (path as in the url map, method), with its field names."""
    document = openapi_document()
    schemas = document["components"]["schemas"]
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            reference = body.get("schema", {}).get("$ref", "")
            schema = schemas.get(reference.rsplit("/", 1)[-1], {})
            nested = {f"{key}.{inner}" for key, value in schema.get("properties", {}).items()
                      for inner in value.get("properties", {})}
            found[(re.sub(r"{([^}]+)}", r"<\1>", "/api/v1" + path), method.upper())] = {
                "query": [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"],
                "body": [*schema.get("properties", {}), *sorted(nested)] if body else None,
            }
    return found


def with_field(values: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """A copy of ``values`` with one field (``outer.inner`` for a nested one) replaced."""
    outer, _, inner = name.partition(".")
    if inner:
        return {**values, outer: {**values.get(outer, {}), inner: value}}
    return {**values, name: value}


class Attack:
    """Sends requests and remembers every one that answered 5xx or raised."""

    def __init__(self, client: FlaskClient, headers: dict[str, str]) -> None:
        self.client, self.headers, self.failures, self.sent = client, headers, [], 0

    def send(self, method: str, url: str, **options: Any) -> None:
        """Send one request; record it if the app answered 5xx or raised."""
        self.sent += 1
        try:
            status = self.client.open(url, method=method, headers=options.pop("headers", self.headers),
                                      **options).status_code
        except Exception as exc:  # noqa: BLE001  # a raised error is a 500 in production
            status = f"{type(exc).__name__}: {exc}"[:200]
        if not isinstance(status, int) or status >= 500:
            self.failures.append(f"{method} {url[:120]} {str(options)[:160]} -> {status}")


def attack_page(attack: Attack, rule: Rule, url: str, valid: dict[str, Any]) -> None:
    """Every field of a page's forms and links gets every hostile text, by GET and by POST."""
    fields = page_fields(attack.client, url)
    base = {name: valid[name] for name in fields if name in valid and not isinstance(valid[name], (dict, list))}
    for name in sorted(fields):
        for value in HOSTILE_TEXT:
            if "GET" in rule.methods:
                attack.send("GET", url, query_string=with_field(base, name, value))
            if "POST" in rule.methods:
                attack.send("POST", url, data=with_field(base, name, value))


def attack_api(attack: Attack, rule: Rule, method: str, url: str, operation: dict[str, Any],
               valid: dict[str, Any]) -> None:
    """Every query parameter and body field of an API operation gets every hostile value; then raw bodies."""
    query = {name: valid[name] for name in operation["query"] if name in valid}
    for name in operation["query"]:
        for value in HOSTILE_TEXT:
            attack.send(method, url, query_string=with_field(query, name, value))
    if operation["body"] is None:
        return
    body = {name: valid[name] for name in operation["body"] if name in valid}
    for name in operation["body"]:
        for value in HOSTILE_JSON:
            attack.send(method, url, query_string=query, data=json.dumps(with_field(body, name, value)),
                        content_type="application/json")
    for raw in HOSTILE_BODIES:
        for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
            attack.send(method, url, query_string=query, data=raw, content_type=content_type)
    for header in ({"Idempotency-Key": "\x00"}, {"Idempotency-Key": "k" * 5000}, {"Authorization": "Bearer \x00"},
                   {"Authorization": "Bearer " + "x" * 5000}, {"Authorization": "Basic Og=="}):
        attack.send(method, url, json=body, headers={**attack.headers, **header})


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def test_no_hostile_request_to_any_route_answers_5xx(app: Flask, clinic: Clinic) -> None:
    visit = AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0],
                               screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 12, 3, 10))
    token = derive_manage_token(visit.id)
    attack = Attack(app.test_client(), {"Authorization": f"Bearer {token}"})
    valid, real = valid_values(clinic, token), path_values(clinic, str(visit.id), token)
    operations = api_operations()
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    for rule in rules:
        url = build(rule, real)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for argument in rule.arguments:
            for value in HOSTILE_PATH:
                for method in methods:
                    attack.send(method, build(rule, {**real, argument: value}))
        if rule.rule.startswith("/api/"):
            for method in methods:
                attack_api(attack, rule, method, url, operations[(rule.rule, method)], valid)
        else:
            attack_page(attack, rule, url, valid)
    assert attack.sent > 1000
    assert attack.failures == [], "\n".join(attack.failures)


@pytest.mark.parametrize("who", ["admin", "therapist"])
def test_no_hostile_request_of_a_signed_in_staff_member_answers_5xx(app: Flask, clinic: Clinic, who: str) -> None:
    therapist = clinic.physiotherapists[0]
    visit = AppointmentFactory(service=clinic.physio, therapist=therapist,
                               screening=clinic.screenings["physiotherapy"], starts_at=local(2026, 12, 3, 10))
    user = StaffUserFactory(admin=True) if who == "admin" else StaffUserFactory(therapist=therapist)
    token = derive_manage_token(visit.id)
    valid = valid_values(clinic, token)
    real = {**path_values(clinic, str(visit.id), token), "therapist_id": str(therapist.id)}
    client = app.test_client()
    attack = Attack(client, {})
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/staff/", "/admin/")):
            continue
        signed_in(client, user)  # afresh for each page: some of them end the session (sign out, wrong codes)
        attack_page(attack, rule, build(rule, real), valid)
    assert attack.sent > 500
    assert attack.failures == [], "\n".join(attack.failures)
