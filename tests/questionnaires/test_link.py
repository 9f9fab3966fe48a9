"""The questions through the emailed link: no account, a phone-first form, answered once, until the visit ends."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking import create_app
from booking.extensions import db
from booking.models import AnsweredIn, Measurement, Questionnaire
from tests.conftest import test_settings
from tests.factories import Clinic
from tests.questionnaires.conftest import TEN, book_visit, link, plan_visits

FIRST = {"nprs": "6", "activity_1": "Climbing stairs", "rating_1": "3", "activity_2": "Lifting my son",
         "rating_2": "5"}


def measurements() -> list[Measurement]:
    """The stored measurements, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(Measurement).order_by(Measurement.id)))


def test_a_patient_names_activities_rates_them_and_is_thanked(client: FlaskClient, clinic: Clinic) -> None:
    path = link(book_visit(clinic))
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "How bad is your pain right now?" in text and 'name="activity_5"' in text
    assert "Since your care began" not in text  # no change to rate at the first measurement
    answered = client.post(path, data=FIRST)
    assert (answered.status_code, answered.location) == (303, path)
    assert "Your answers are in" in client.get(path).get_data(as_text=True)
    [measurement] = measurements()
    assert (measurement.number, measurement.answers, measurement.activities, measurement.answered_in) == (
        1, {"nprs": 6, "psfs": [3, 5]}, ["Climbing stairs", "Lifting my son"], AnsweredIn.HOME)


def test_a_form_with_errors_says_what_is_wrong_and_keeps_what_was_typed(client: FlaskClient, clinic: Clinic) -> None:
    path = link(book_visit(clinic))
    response = client.post(path, data={"activity_1": "Gardening", "rating_1": "4", "activity_2": "Running"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose your pain right now, from 0 to 10." in text
    assert "Choose how able you are today to do &#34;Running&#34;, from 0 to 10." in text
    assert 'value="Gardening"' in text and 'value="Running"' in text
    assert 'checked id="rating_1-4"' in text
    assert measurements() == []


def test_questions_answered_once_and_a_second_answer_is_not_taken(client: FlaskClient, clinic: Clinic) -> None:
    path = link(book_visit(clinic))
    client.post(path, data=FIRST)
    again = client.post(path, data={**FIRST, "nprs": "9"})
    assert again.status_code == 200 and "Your answers are in" in again.get_data(as_text=True)
    assert [m.answers["nprs"] for m in measurements()] == [6]


def test_after_the_visit_ends_the_link_says_so(client: FlaskClient, clinic: Clinic,
                                               clock: time_machine.Coordinates) -> None:
    path = link(book_visit(clinic))
    clock.move_to(TEN + timedelta(minutes=59))
    assert client.get(path).status_code == 200 and "Send my answers" in client.get(path).get_data(as_text=True)
    clock.move_to(TEN + timedelta(hours=1))
    closed = client.post(path, data=FIRST)
    assert closed.status_code == 200 and "These questions are closed" in closed.get_data(as_text=True)
    assert measurements() == []


def test_an_unknown_or_mangled_token_is_not_found(client: FlaskClient, clinic: Clinic) -> None:
    path = link(book_visit(clinic))
    assert client.get(path + "x").status_code == 404
    assert client.get("/q/" + "a" * 400).status_code == 404
    assert db.session.scalars(select(Questionnaire.token_hash)).one() not in path  # only the hash is stored


def test_a_plans_later_visit_asks_about_the_same_activities_and_the_change(client: FlaskClient,
                                                                           clinic: Clinic,
                                                                           clock: time_machine.Coordinates) -> None:
    first, second = plan_visits(clinic, TEN, TEN + timedelta(days=7))
    client.post(link(first), data=FIRST)
    clock.move_to(TEN + timedelta(days=6))
    path = link(second)
    text = client.get(path).get_data(as_text=True)
    assert "Climbing stairs" in text and "Lifting my son" in text and 'name="activity_1"' not in text
    assert "Since your care began" in text and "A very great deal better" in text
    assert 'name="activity_new"' not in text  # only the therapist adds one
    assert client.post(path, data={"nprs": "4", "rating_1": "6", "rating_2": "7", "groc": "3"}).status_code == 303
    later = measurements()[-1]
    assert (later.number, later.answers, later.care_plan_id) == (
        2, {"nprs": 4, "psfs": [6, 7], "groc": 3}, first.care_plan_id)


def test_guessing_tokens_is_rate_limited_as_the_manage_link_is(database: str, app: Flask) -> None:
    limited = create_app(test_settings(database, RATELIMIT_ENABLED=True, RATELIMIT_READ="2 per minute",
                                       RATELIMIT_STORAGE_URI="memory://"), environ={})
    client = limited.test_client()
    assert [client.get(f"/q/guess-{n}").status_code for n in range(3)] == [404, 404, 429]
