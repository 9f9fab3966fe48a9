"""A flagged plan on the plan pages (staff and admin) and on both lists of plans, explaining itself."""

from __future__ import annotations

import html

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent
from tests.factories import Clinic, StaffUserFactory
from tests.questionnaires.test_flag import FIRST, SAME, WORSE, answer_before, weekly_plan
from tests.questionnaires.test_waiting_room import login_of
from tests.staff_fixtures import signed_in

NOT_YET = "Not yet a meaningful change after 4 sessions"


def flagged_plan(clinic: Clinic, clock: time_machine.Coordinates, nth: int = 0) -> list[Appointment]:
    """A plan whose patient's answers stayed the same over four sessions."""
    visits = weekly_plan(clinic, 5, nth=nth)
    for visit, typed in zip(visits, [FIRST, SAME, SAME, SAME, SAME], strict=True):
        answer_before(visit, typed, clock)
    return visits


def text(client: FlaskClient, path: str) -> str:
    """The page's text, its entities read."""
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def test_the_plan_page_explains_the_flag_to_its_therapists_and_admins(client: FlaskClient, clinic: Clinic,
                                                                      clock: time_machine.Coordinates) -> None:
    plan_id = flagged_plan(clinic, clock)[0].care_plan_id
    for user, path in ((login_of(clinic.massage_therapists[0]), f"/staff/care-plans/{plan_id}"),
                       (StaffUserFactory(admin=True), f"/staff/care-plans/{plan_id}"),
                       (StaffUserFactory(admin=True), f"/admin/care-plans/{plan_id}")):
        page = text(signed_in(client, user), path)
        assert f'<h2 id="flag-heading">{NOT_YET}</h2>' in page
        assert "NPRS 6 to 6" in page and "not a verdict on the care" in page


def test_a_plan_without_a_flag_shows_none(client: FlaskClient, clinic: Clinic,
                                          clock: time_machine.Coordinates) -> None:
    first, second = weekly_plan(clinic, 2)
    answer_before(first, FIRST, clock)
    answer_before(second, SAME, clock)
    page = text(signed_in(client, login_of(clinic.massage_therapists[0])), f"/staff/care-plans/{first.care_plan_id}")
    assert "flag-heading" not in page and "meaningful change after" not in page


def test_both_lists_show_each_plans_flag(client: FlaskClient, clinic: Clinic, clock: time_machine.Coordinates) -> None:
    flagged = flagged_plan(clinic, clock)[0].care_plan_id
    worse = weekly_plan(clinic, 2, nth=1)
    answer_before(worse[0], FIRST, clock)
    answer_before(worse[1], WORSE, clock)
    weekly_plan(clinic, 1, nth=2)
    page = text(signed_in(client, StaffUserFactory(admin=True)), "/admin/care-plans")
    assert f'<td data-label="Outcome flag">{NOT_YET}</td>' in page
    assert '<td data-label="Outcome flag">Worse than at the start, after 1 session</td>' in page
    assert '<td data-label="Outcome flag">None</td>' in page
    mine = text(signed_in(client, login_of(clinic.massage_therapists[0])), "/staff/care-plans")
    assert f"<strong>{NOT_YET}</strong>" in mine and "<strong>Worse than at the start, after 1 session</strong>" in mine
    viewed = db.session.scalars(select(AuditEvent.subject_id).where(
        AuditEvent.detail == "outcome flag on the list of plans")).all()
    assert viewed.count(str(flagged)) == 2  # the admin's list and the therapist's
