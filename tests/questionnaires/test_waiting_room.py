"""The same questions on the clinic's tablet: the visit's own therapist hands it to the patient."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AnsweredIn, AuditEvent, StaffUser
from tests.factories import Clinic, StaffUserFactory
from tests.questionnaires.conftest import TEN, book_visit, link, plan_visits
from tests.questionnaires.test_link import FIRST, measurements
from tests.staff_fixtures import signed_in


def login_of(therapist: object) -> StaffUser:
    """A staff login for this therapist."""
    return StaffUserFactory(therapist=therapist)


def test_the_visit_page_offers_the_questions_and_the_tablet_takes_the_answers(client: FlaskClient,
                                                                             clinic: Clinic) -> None:
    visit = book_visit(clinic)
    therapist = login_of(visit.therapist)
    signed_in(client, therapist)
    page = client.get(f"/staff/visits/{visit.id}").get_data(as_text=True)
    assert "Open the questions for the waiting room" in page
    path = f"/staff/visits/{visit.id}/questions"
    form = client.get(path)
    assert form.status_code == 200 and "How bad is your pain right now?" in form.get_data(as_text=True)
    wrong = client.post(path, data={**FIRST, "nprs": "12"})
    assert wrong.status_code == 400 and 'value="Lifting my son"' in wrong.get_data(as_text=True)
    assert client.post(path, data=FIRST).location == path
    assert "Please hand the tablet back" in client.get(path).get_data(as_text=True)
    [measurement] = measurements()
    assert (measurement.answered_in, measurement.recorded_by_id) == (AnsweredIn.WAITING_ROOM, therapist.id)
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "questionnaire")).all() == [
        "recorded"]
    assert "Answered" in client.get(f"/staff/visits/{visit.id}").get_data(as_text=True)
    assert "Your answers are in" in client.get(link(visit)).get_data(as_text=True)  # the emailed link: answered


def test_the_therapist_may_add_an_activity_at_a_later_measurement(client: FlaskClient, clinic: Clinic,
                                                                  clock: time_machine.Coordinates) -> None:
    first, second = plan_visits(clinic, TEN, TEN + timedelta(days=7))
    client.post(link(first), data=FIRST)
    clock.move_to(TEN + timedelta(days=7))
    signed_in(client, login_of(second.therapist))
    path = f"/staff/visits/{second.id}/questions"
    assert 'name="activity_new"' in client.get(path).get_data(as_text=True)
    typed = {"nprs": "3", "rating_1": "6", "rating_2": "7", "groc": "4", "activity_new": "Gardening",
             "rating_new": "2"}
    assert client.post(path, data=typed).status_code == 303
    assert measurements()[-1].activities == ["Climbing stairs", "Lifting my son", "Gardening"]


def test_another_therapist_or_a_visit_without_questions_answers_404(client: FlaskClient, clinic: Clinic) -> None:
    visit, massage = book_visit(clinic), book_visit(clinic, TEN, kind="massage")
    signed_in(client, login_of(clinic.physiotherapists[1]))
    assert client.get(f"/staff/visits/{visit.id}/questions").status_code == 404
    signed_in(client, login_of(massage.therapist))
    assert client.get(f"/staff/visits/{massage.id}/questions").status_code == 404
    assert "Open the questions" not in client.get(f"/staff/visits/{massage.id}").get_data(as_text=True)
