"""Recording an access request from the patient's page: its deadline from the clinic's setting, on the patient's
page and the today page; a clear error, with what was typed, for a day in the future or long past or no word of how
the person was identified; each record's law on the patient's page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AccessRequest, AuditEvent, ClinicSettings
from tests.factories import local, small_clinic
from tests.privacy.people import People, person_and_other
from tests.staff_fixtures import signed_in

NOW = local(2026, 12, 2, 9)


@pytest.fixture
def people(app: Flask) -> Iterator[People]:
    with time_machine.travel(NOW, tick=False):
        yield person_and_other(small_clinic())


@pytest.fixture
def admin(client: FlaskClient, people: People) -> Iterator[FlaskClient]:
    with time_machine.travel(NOW, tick=False):
        yield signed_in(client, people.admin)


def plain(html: str) -> str:
    """The page's text with its whitespace collapsed."""
    return " ".join(html.split())


def test_a_request_is_due_the_clinics_days_after_it_came_in(admin: FlaskClient, people: People) -> None:
    db.session.get(ClinicSettings, 1).request_days = 10
    db.session.commit()
    path = f"/admin/patients/{people.other.id}/access-requests/new"
    form = admin.get(path).get_data(as_text=True)
    assert 'value="2026-12-02"' in form  # today, by default
    response = admin.post(path, data={"received_on": "2026-11-30", "identified_by": " Passport seen "})
    assert (response.status_code, response.location) == (303, f"/admin/patients/{people.other.id}#access-requests")
    page = plain(admin.get(f"/admin/patients/{people.other.id}").get_data(as_text=True))
    assert "The access request is recorded: answer it by December 10, 2026." in page
    assert "Received November 30, 2026 (Passport seen): <strong>open, answer by December 10, 2026</strong>" in page
    today = plain(admin.get("/admin/today").get_data(as_text=True))
    assert "received Nov 30: <strong>answer by December 10, 2026</strong>" in today
    made = db.session.scalars(select(AccessRequest).where(AccessRequest.identified_by == "Passport seen")).one()
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "access_request",
                                                              AuditEvent.subject_id == str(made.id))).all() == [
        "recorded"]


@pytest.mark.parametrize(("typed", "error"), [
    ({"received_on": "2026-12-03", "identified_by": "Licence seen"},
     "A request cannot come in after today: enter the day the clinic received it."),
    ({"received_on": "2025-11-01", "identified_by": "Licence seen"},
     "That day is over a year ago: check the day the clinic received the request."),
    ({"received_on": "2026-12-01", "identified_by": "   "},
     "Say how the person was identified (for example: driver&#39;s licence seen at the desk)."),
    ({"received_on": "2026-12-01", "identified_by": "x" * 201}, "Write at most 200 characters."),
    ({"received_on": "", "identified_by": "Licence seen"}, "Enter the day the request was received."),
])
def test_a_mistake_is_shown_with_what_was_typed(admin: FlaskClient, people: People, typed: dict[str, str],
                                                error: str) -> None:
    before = db.session.scalars(select(AccessRequest.id)).all()
    response = admin.post(f"/admin/patients/{people.other.id}/access-requests/new", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error in page
    if typed["identified_by"].strip():
        assert f'value="{typed["identified_by"]}"' in page
    assert db.session.scalars(select(AccessRequest.id)).all() == before


def test_a_joined_record_has_no_request_form_of_its_own(admin: FlaskClient, people: People) -> None:
    assert admin.get(f"/admin/patients/{people.joined.id}/access-requests/new").status_code == 404


def test_the_patients_page_shows_each_visits_and_plans_law_and_the_persons_open_request(admin: FlaskClient,
                                                                                      people: People) -> None:
    page = plain(admin.get(f"/admin/patients/{people.kept.id}").get_data(as_text=True))
    assert 'Under the <abbr title="Health Information Act (Alberta)">HIA</abbr>' in page
    assert 'Under the <abbr title="Personal Information Protection Act (Alberta)">PIPA</abbr>' in page
    visits = page.split("<h2>Upcoming visits</h2>", 1)[1].split("<h2>Outcomes</h2>", 1)[0]
    assert visits.count(">HIA</abbr>") == 1 and visits.count(">PIPA</abbr>") == 2  # a physiotherapy visit, two massage
    plans = page.split("<h2>Care plans</h2>", 1)[1].split("</ul>", 1)[0]
    assert plans.count(">HIA</abbr>") == 1
    assert ("Received November 20, 2026 (Driver&#39;s licence seen at the desk): <strong>open, answer by "
            "December 20, 2026</strong>" in page)  # recorded on the record joined into this one
    assert "Answer: produce the export" in page

