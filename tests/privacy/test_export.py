"""Answering an access request: the export holds every kind of record of a person joined across two records, each
record's law, who viewed or changed them, and nothing of another patient; the JSON file matches its schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AccessRequest, AuditEvent
from booking.services.visits.schedule import answers_in_words
from tests.factories import local, small_clinic
from tests.privacy.people import MARKS, OTHER, People, person_and_other
from tests.staff_fixtures import signed_in

NOW = local(2026, 12, 2, 9)
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "privacy" / "export.schema.json").read_text())


@pytest.fixture
def people(app: Flask) -> Iterator[People]:
    with time_machine.travel(NOW, tick=False):
        yield person_and_other(small_clinic())


@pytest.fixture
def admin(client: FlaskClient, people: People) -> FlaskClient:
    return signed_in(client, people.admin)


def request_of(people: People) -> AccessRequest:
    """The person's access request (recorded on the record joined into the kept one)."""
    return db.session.scalars(select(AccessRequest).where(AccessRequest.patient_id == people.joined.id)).one()


def access_section(admin: FlaskClient) -> str:
    """The today page's section of the access requests to answer."""
    page = admin.get("/admin/today").get_data(as_text=True)
    return page.split(">Access requests to answer</h2>", 1)[1].split("<h2", 1)[0]


def answered(admin: FlaskClient, people: People) -> str:
    """Answer the person's request from the kept record's page; the export page it opens."""
    path = f"/admin/patients/{people.kept.id}/access-requests/{request_of(people).id}"
    response = admin.post(f"{path}/answer")
    assert (response.status_code, response.location) == (303, f"{path}/export")
    page = admin.get(response.location)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_the_page_holds_every_kind_of_record_and_nothing_of_another_patient(admin: FlaskClient,
                                                                           people: People) -> None:
    with time_machine.travel(NOW, tick=False):
        page = answered(admin, people)
    for mark in MARKS.values():
        assert mark.replace("'", "&#39;") in page, mark
    screening = people.physio_visit.screening
    for question, answer in answers_in_words(screening):
        assert question.replace("'", "&#39;") in page and answer.replace("'", "&#39;") in page
    for words in ["Session note", "Handoff note", "Health Information Act (Alberta)",
                  "Personal Information Protection Act (Alberta)", "Confirmation", "Therapist: booked",
                  "Care plan notice", "Place on the waitlist", "Waitlist: a time offered", "Links to manage bookings",
                  "pain 3 out of 10", "How bad is your pain right now?", "Numeric Pain Rating Scale", "+14035550199", "robin@example.com", "Its reasons:",
                  "A time offered", "Consent to news messages", "joined"]:
        assert words in page, words
    assert OTHER not in page


def test_the_json_file_matches_its_schema_and_holds_every_kind_and_nothing_of_another(admin: FlaskClient,
                                                                                     people: People) -> None:
    request = request_of(people)
    response = admin.get(f"/admin/patients/{people.kept.id}/access-requests/{request.id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    document = response.get_json()
    jsonschema_rs.Draft202012Validator(SCHEMA, validate_formats=True).validate(document)
    for kind, value in document.items():
        assert value, f"nothing in {kind}"
    assert [record["id"] for record in document["records"]] == [people.kept.id, people.joined.id]
    assert {note["kind"] for note in document["notes"]} == {"session", "handoff"}
    assert {visit["law"]["code"] for visit in document["visits"]} == {"HIA", "PIPA"}
    assert {plan["law"]["code"] for plan in document["care_plans"]} == {"HIA"}
    assert document["correction_requests"][0]["corrections"][0]["old_value"] == MARKS["corrected from"]
    text = json.dumps(document, ensure_ascii=False)
    assert all(mark in text for mark in MARKS.values())
    assert OTHER not in text


def test_a_document_that_breaks_the_schema_is_caught(admin: FlaskClient, people: People) -> None:
    request = request_of(people)
    document = admin.get(f"/admin/patients/{people.kept.id}/access-requests/{request.id}/export.json").get_json()
    document["visits"][0]["law"] = {"code": "GDPR", "name": "elsewhere"}
    assert not jsonschema_rs.Draft202012Validator(SCHEMA).is_valid(document)


def test_answering_marks_the_request_answered_and_each_export_is_audited(admin: FlaskClient, people: People) -> None:
    request = request_of(people)
    with time_machine.travel(NOW, tick=False):
        before = access_section(admin)
        answered(admin, people)
        admin.get(f"/admin/patients/{people.kept.id}/access-requests/{request.id}/export.json")
        after = access_section(admin)
    assert "received Nov 20: <strong>answer by December 20, 2026</strong>" in " ".join(before.split())
    assert f"/admin/patients/{people.kept.id}#access-requests" in before
    assert people.kept.name not in after and people.other.name in after
    db.session.refresh(request)
    assert request.answered_at == NOW and request.answered_by_id == people.admin.id
    events = db.session.execute(select(AuditEvent.action, AuditEvent.detail).where(
        AuditEvent.subject_type == "access_request", AuditEvent.subject_id == str(request.id))
        .order_by(AuditEvent.id)).all()
    assert [action for action, _ in events] == ["answered", "exported", "exported"]
    assert [detail for _, detail in events][1:] == [f"records of patient {people.joined.id} as page",
                                                   f"records of patient {people.joined.id} as JSON file"]
    patient_page = admin.get(f"/admin/patients/{people.kept.id}").get_data(as_text=True)
    assert "answered on December 2, 2026" in patient_page


def test_another_persons_request_and_a_joined_record_answer_404(admin: FlaskClient, people: People) -> None:
    others = db.session.scalars(select(AccessRequest).where(AccessRequest.patient_id == people.other.id)).one()
    mine = request_of(people)
    for path in [f"/admin/patients/{people.kept.id}/access-requests/{others.id}/export",
                 f"/admin/patients/{people.kept.id}/access-requests/{others.id}/export.json",
                 f"/admin/patients/{people.other.id}/access-requests/{mine.id}/export",
                 f"/admin/patients/{people.joined.id}/access-requests/{mine.id}/export"]:
        assert admin.get(path).status_code == 404, path
    assert admin.post(f"/admin/patients/{people.other.id}/access-requests/{mine.id}/answer").status_code == 404
    db.session.refresh(mine)
    assert mine.answered_at is None
