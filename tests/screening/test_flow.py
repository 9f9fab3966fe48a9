"""The screening in the patient flow, step by step, through the test client."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from booking import create_app
from booking.extensions import db
from booking.models import Screening, ScreeningDraft
from booking.routing import QUESTIONS, RED_FLAG_CODES
from tests.conftest import test_settings

QUESTION = {q["key"]: q for q in QUESTIONS}
STEP_URLS = ("/screening/", "/screening/warning-signs", "/screening/health", "/screening/details")


def main(response: TestResponse) -> str:
    """The page's main content (the footer always mentions 911 and 811)."""
    page = response.get_data(as_text=True)
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def flags(*yes: str) -> dict[str, str]:
    """Step 2's form: the given red flags answered yes, every other one no."""
    return {code: "yes" if code in yes else "no" for code in RED_FLAG_CODES}


def walk(client: FlaskClient, concerns: Iterable[str] = (), red_flags: Iterable[str] = (),
         precautions: Iterable[str] = (), **details: str) -> TestResponse:
    """Answer the four steps in order; return the response to the last one."""
    for url, data in zip(STEP_URLS[:3], [{"concerns": list(concerns)}, flags(*red_flags),
                                         {"precautions": list(precautions)}], strict=True):
        response = client.post(url, data=data)
        assert response.status_code == 303, main(response)
    return client.post(STEP_URLS[3], data=details)


def finish(client: FlaskClient, *args: Iterable[str], **details: str) -> TestResponse:
    """Answer every step and open the recommendation page."""
    response = walk(client, *args, **details)
    assert response.status_code == 303
    assert re.fullmatch(r"/screening/[0-9a-f-]{36}", response.headers["Location"])
    return client.get(response.headers["Location"])


def stop_at_warning_signs(client: FlaskClient, concerns: Iterable[str], red_flags: Iterable[str]) -> TestResponse:
    """Answer steps 1 and 2 with a red flag, which ends the screening; open the advice page."""
    assert client.post(STEP_URLS[0], data={"concerns": list(concerns)}).status_code == 303
    response = client.post(STEP_URLS[1], data=flags(*red_flags))
    assert response.status_code == 303
    assert re.fullmatch(r"/screening/[0-9a-f-]{36}", response.headers["Location"])
    return client.get(response.headers["Location"])


def drafts() -> list[ScreeningDraft]:
    """Every screening in progress kept on the server."""
    return list(db.session.scalars(db.select(ScreeningDraft)))


def checked(page: str, name: str, value: str) -> bool:
    """Whether the checkbox or radio button name=value is ticked."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', page)
    assert tag, (name, value)
    return " checked" in tag.group(0)


def test_step_one_asks_every_concern_in_groups(client: FlaskClient) -> None:
    page = main(client.get("/screening/"))
    assert "Step 1 of 4" in page and 'method="post"' in page
    assert f'<legend class="question">{QUESTION["concerns"]["text"]}</legend>' in page
    assert page.count('<fieldset class="group">') == 3
    for option in QUESTION["concerns"]["options"]:
        assert option["text"].replace("'", "&#39;") in page
        assert f'value="{option["code"]}"' in page


def test_every_red_flag_is_its_own_required_yes_no_question(client: FlaskClient) -> None:
    client.post("/screening/", data={"concerns": ["chronic_pain"]})
    page = main(client.get("/screening/warning-signs"))
    assert "<h1>In the past few days, have you had any of these?</h1>" in page
    for option in QUESTION["red_flags"]["options"]:
        assert f'<legend class="question">{option["text"]}</legend>' in page
        assert not checked(page, option["code"], "yes") and not checked(page, option["code"], "no")


def test_later_steps_cannot_be_skipped(client: FlaskClient) -> None:
    for url in STEP_URLS[1:]:
        response = client.get(url)
        assert (response.status_code, response.headers["Location"]) == (303, "/screening/")
    client.post("/screening/", data={"concerns": ["chronic_pain"]})
    assert client.post("/screening/details", data={}).headers["Location"] == "/screening/warning-signs"


def test_unanswered_red_flags_are_named_and_answered_ones_kept(client: FlaskClient) -> None:
    client.post("/screening/", data={"concerns": ["chronic_pain"]})
    response = client.post("/screening/warning-signs", data={"chest_pain": "no", "calf_swelling": "no"})
    page = main(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert checked(page, "chest_pain", "no") and checked(page, "calf_swelling", "no")
    for code in set(RED_FLAG_CODES) - {"chest_pain", "calf_swelling"}:
        assert f'href="#{code}-0"' in page
        assert re.search(rf'id="{code}-error">.*Answer yes or no', page)


def test_back_keeps_every_answer(client: FlaskClient) -> None:
    walk_to_details = [("/screening/", {"concerns": ["chronic_pain", "stress_relief"]}),
                       ("/screening/warning-signs", flags()),
                       ("/screening/health", {"precautions": ["pregnancy"]})]
    for url, data in walk_to_details:
        client.post(url, data=data)
    back = client.post("/screening/details", data={"pain_level": "4", "preference": "massage",
                                                   "action": "back"})
    assert (back.status_code, back.headers["Location"]) == (303, "/screening/health")
    assert checked(main(client.get("/screening/health")), "precautions", "pregnancy")
    back = client.post("/screening/health", data={"precautions": ["pregnancy", "osteoporosis"],
                                                  "action": "back"})
    assert back.headers["Location"] == "/screening/warning-signs"
    page = main(client.get("/screening/warning-signs"))
    assert all(checked(page, code, "no") for code in RED_FLAG_CODES)
    client.post("/screening/warning-signs", data={**flags(), "action": "back"})
    page = main(client.get("/screening/"))
    assert checked(page, "concerns", "chronic_pain") and checked(page, "concerns", "stress_relief")
    assert not checked(page, "concerns", "relaxation")
    for url, data in walk_to_details:
        assert client.post(url, data=data).status_code == 303
    page = main(client.get("/screening/details"))
    assert re.search(r'name="pain_level"[^>]*value="4"', page)
    assert checked(page, "preference", "massage")


def test_back_with_a_half_answered_step_keeps_what_was_answered(client: FlaskClient) -> None:
    client.post("/screening/", data={"concerns": ["chronic_pain"]})
    client.post("/screening/warning-signs", data={"chest_pain": "no", "action": "back"})
    client.post("/screening/", data={"concerns": ["chronic_pain"]})
    page = main(client.get("/screening/warning-signs"))
    assert checked(page, "chest_pain", "no") and "There is a problem" not in page
    assert client.get("/screening/health").headers["Location"] == "/screening/warning-signs"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("pain_level", "11", "Pain level must be a whole number from 0 to 10."),
    ("pain_level", "four", "Pain level must be a whole number from 0 to 10."),
    ("pain_level", "-1", "Pain level must be a whole number from 0 to 10."),
    ("symptom_weeks", "2.5", "whole number of weeks from 0 to 2600"),
    ("weeks_since_surgery", "600", "Weeks since your surgery must be a whole number from 0 to 520."),
    ("weeks_since_surgery", "", "Please tell us how many weeks ago you had your surgery"),
])
def test_wrong_or_missing_answer_is_shown_next_to_its_question_and_the_rest_kept(
        client: FlaskClient, field: str, value: str, message: str) -> None:
    entered = {"pain_level": "6", "symptom_weeks": "12", "weeks_since_surgery": "3", "preference": "massage"}
    response = walk(client, ["post_surgery", "muscle_tension"], [], ["osteoporosis"],
                    **{**entered, field: value})
    page = main(response)
    assert response.status_code == 200
    assert f'href="#{field}"' in page
    assert re.search(rf'id="{field}-error">.*{re.escape(message)}', page)
    assert f'aria-describedby="{field}-hint {field}-error"' in page
    for other, typed in entered.items():
        if other not in (field, "preference"):
            assert re.search(rf'name="{other}"[^>]*value="{typed}"', page)
    assert checked(page, "preference", "massage")
    assert db.session.scalars(db.select(Screening)).first() is None
    fixed = client.post("/screening/details", data=entered)
    assert fixed.status_code == 303


def test_weeks_since_surgery_is_asked_only_after_surgery(client: FlaskClient) -> None:
    client.post("/screening/", data={"concerns": ["chronic_pain"]})
    client.post("/screening/warning-signs", data=flags())
    client.post("/screening/health", data={})
    assert 'name="weeks_since_surgery"' not in main(client.get("/screening/details"))
    finished = client.post("/screening/details", data={"weeks_since_surgery": "2"})
    assert finished.status_code == 303
    stored = db.session.scalars(db.select(Screening)).one()
    assert "weeks_since_surgery" not in stored.answers
    walk(client, ["post_surgery"], [], [])
    page = main(client.get("/screening/details"))
    assert 'name="weeks_since_surgery"' in page and QUESTION["weeks_since_surgery"]["text"] in page


def test_no_reason_is_an_error_on_step_one_and_nothing_entered_is_lost(client: FlaskClient) -> None:
    response = client.post("/screening/", data={"concerns": []})
    page = main(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert 'href="#concerns-0"' in page
    assert re.search(r'id="concerns-error">.*Please choose at least one reason for your visit.', page)
    assert client.get("/screening/warning-signs").headers["Location"] == "/screening/"
    client.post("/screening/", data={"concerns": ["relaxation"]})
    client.post("/screening/warning-signs", data=flags())
    client.post("/screening/health", data={"precautions": ["pregnancy"], "action": "back"})
    client.post("/screening/warning-signs", data={**flags(), "action": "back"})
    response = client.post("/screening/", data={"concerns": []})
    assert response.status_code == 200 and "Please choose at least one reason" in main(response)
    assert not checked(main(response), "concerns", "relaxation")
    client.post("/screening/", data={"concerns": ["relaxation"]})
    assert all(checked(main(client.get("/screening/warning-signs")), code, "no") for code in RED_FLAG_CODES)
    client.post("/screening/warning-signs", data=flags())
    assert checked(main(client.get("/screening/health")), "precautions", "pregnancy")
    assert db.session.scalars(db.select(Screening)).first() is None


def test_a_red_flag_ends_the_screening_and_stores_only_what_was_asked(client: FlaskClient) -> None:
    page = main(stop_at_warning_signs(client, ["post_surgery", "relaxation"], ["chest_pain"]))
    assert "<h1>Call 911 or go to the nearest emergency department now</h1>" in page
    assert "/book/" not in page
    screening = db.session.scalars(db.select(Screening)).one()
    assert screening.answers == {"concerns": ["post_surgery", "relaxation"], "red_flags": ["chest_pain"]}
    assert (screening.pathway, screening.urgency) == ("refer_out", "emergency")
    assert drafts() == []
    assert client.get("/screening/health").headers["Location"] == "/screening/"


@pytest.mark.parametrize(("flag", "heading", "urgency"), [
    ("chest_pain", "Call 911 or go to the nearest emergency department now", "emergency"),
    ("calf_swelling", "See a doctor today", "urgent"),
], ids=["emergency", "urgent"])
def test_one_red_flag_answered_yes_gives_the_advice_at_once_with_the_rest_unanswered(
        client: FlaskClient, flag: str, heading: str, urgency: str) -> None:
    client.post(STEP_URLS[0], data={"concerns": ["post_surgery"]})
    response = client.post(STEP_URLS[1], data={flag: "yes"})
    assert response.status_code == 303, main(response)
    page = main(client.get(response.headers["Location"]))
    assert f"<h1>{heading}</h1>" in page
    assert "Answer yes or no" not in page and "/book/" not in page
    assert "preferred kind of therapy" not in page  # never asked: the screening stopped before that step
    screening = db.session.scalars(db.select(Screening)).one()
    assert screening.answers == {"concerns": ["post_surgery"], "red_flags": [flag]}
    assert (screening.pathway, screening.urgency) == ("refer_out", urgency)
    assert drafts() == []


def test_an_urgent_red_flag_ends_the_screening_too(client: FlaskClient) -> None:
    page = main(stop_at_warning_signs(client, ["chronic_pain"], ["constant_night_pain"]))
    assert "<h1>See a doctor today</h1>" in page
    assert db.session.scalars(db.select(Screening)).one().urgency == "urgent"


@pytest.mark.parametrize(("concerns", "heading", "path", "action"), [
    (["chronic_pain"], "We recommend physiotherapy", "", "Book a physiotherapy appointment"),
    (["muscle_tension"], "We recommend massage therapy", "", "Book a massage therapy appointment"),
    (["chronic_pain", "stress_relief"], "We recommend physiotherapy and massage therapy together",
     "/pair", "Book massage and physiotherapy assessment"),
])
def test_bookable_outcome_shows_reasons_and_the_booking_step(
        client: FlaskClient, concerns: list[str], heading: str, path: str, action: str) -> None:
    response = finish(client, concerns, [], ["anticoagulants"], preference="physiotherapy")
    page = main(response)
    screening = db.session.scalars(db.select(Screening)).one()
    assert f"<h1>{heading}</h1>" in page
    assert f'<a class="button button--primary" href="/book/{screening.id}{path}">{action}</a>' in page
    for reason in screening.recommendation["reasons"]:
        assert reason["text"] in page
    assert "You told us you would prefer physiotherapy." in page
    assert ("blood thinners" in page) == ("massage" in screening.therapy_types)
    words = page.replace(str(screening.id), "")  # the screening's random id may hold 911 or 811
    assert "911" not in words and "811" not in words
    if len(concerns) == 2:
        assert "Your first visit: a massage, then your physiotherapy assessment" in page
        assert "we plan the rest of your care with you" in page


def test_without_online_booking_the_page_says_what_to_book_and_gives_the_phone(fresh_app: Flask) -> None:
    del fresh_app.view_functions["appointments.start"]
    page = main(finish(fresh_app.test_client(), ["relaxation"]))
    assert "Call us to book a massage therapy appointment" in page
    assert 'href="tel:+14035550142"' in page and "/book/" not in page


@pytest.mark.parametrize(("red_flags", "precautions", "advice", "phone"), [
    (["chest_pain", "calf_swelling"], [], "Call 911 or go to the nearest emergency department now", "911"),
    (["fever_with_pain"], [], "See a doctor today", "811"),
    ([], ["blood_clot"], "See your doctor before booking a massage", "+14035550142"),
])
def test_refer_out_gives_unmistakable_advice_and_no_booking(
        client: FlaskClient, red_flags: list[str], precautions: list[str], advice: str, phone: str) -> None:
    if red_flags:
        page = main(stop_at_warning_signs(client, ["tension_headache"], red_flags))
    else:
        page = main(finish(client, ["tension_headache"], red_flags, precautions))
    assert f"<h1>{advice}</h1>" in page
    assert f'href="tel:{phone}"' in page
    assert "/book/" not in page and "Book a" not in page
    assert ('role="alert"' in page) == bool(red_flags)
    if phone == "811":
        assert "For advice, call Health Link at 811" in page


@pytest.mark.parametrize("path", ["/screening/3d5c1f0e-0000-4000-8000-00000000a002", "/screening/not-a-uuid",
                                  "/screening/12345", "/screening/3d5c1f0e-0000-4000-8000-00000000a003x"])
def test_unknown_or_malformed_screening_is_404(client: FlaskClient, path: str) -> None:
    finish(client, ["relaxation"])
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_answers_never_appear_in_a_url(client: FlaskClient) -> None:
    locations = []
    for url, data in [("/screening/", {"concerns": ["post_surgery", "stress_relief"]}),
                      ("/screening/warning-signs", flags()),
                      ("/screening/health", {"precautions": ["pregnancy", "anticoagulants"]}),
                      ("/screening/details", {"pain_level": "7", "symptom_weeks": "9",
                                              "weeks_since_surgery": "4", "preference": "massage"})]:
        page = main(client.get(url))
        assert f'<form method="post" action="{url}"' in page
        response = client.post(url, data=data)
        locations.append(response.headers["Location"])
    result = client.get(locations[-1])
    answered = ["post_surgery", "stress_relief", "pregnancy", "anticoagulants", "massage", "pain", "weeks",
                "preference", "=", "?"]
    for location in locations + re.findall(r'href="([^"]+)"', result.get_data(as_text=True)):
        assert not any(value in location for value in answered), location


def test_answers_are_never_logged(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    finish(client, ["post_surgery", "stress_relief"], [], ["pregnancy"],
           weeks_since_surgery="4", preference="massage")
    stop_at_warning_signs(client, ["stress_relief"], ["calf_swelling"])
    client.post("/api/v1/screenings", json={"concerns": ["relaxation"], "precautions": ["pregnancy"]})
    logged = caplog.text
    assert not any(code in logged for code in ("post_surgery", "stress_relief", "calf_swelling", "pregnancy"))


def test_finishing_clears_the_answers_in_progress(client: FlaskClient) -> None:
    client.post("/screening/", data={"concerns": ["relaxation"]})
    assert len(drafts()) == 1
    finish(client, ["relaxation"], [], ["pregnancy"])
    assert drafts() == []
    assert client.get("/screening/details").headers["Location"] == "/screening/"
    assert not checked(main(client.get("/screening/")), "concerns", "relaxation")


@pytest.mark.parametrize("concerns", [["chronic_pain"], ["post_surgery"]])
def test_every_step_labels_every_input_and_has_no_inline_style_or_script(
        client: FlaskClient, concerns: list[str]) -> None:
    answers: list[Mapping[str, object]] = [{"concerns": concerns}, flags(), {}]
    for index, url in enumerate(STEP_URLS):
        page = client.get(url).get_data(as_text=True)
        ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page)
        assert ids
        for field_id in ids:
            assert f'for="{field_id}"' in page, (url, field_id)
        assert "style=" not in page and "<style" not in page
        assert all(re.fullmatch(r'<script src="/static/[^"]+"( defer)?></script>', tag)
                   for tag in re.findall(r"<script.*?</script>", page, re.S))
        if index < 3:
            client.post(url, data=answers[index])


@pytest.mark.commits  # the app of its own stores a draft
def test_csrf_protects_the_steps_in_real_use(database: str, app: Flask) -> None:
    client = create_app(test_settings(database, WTF_CSRF_ENABLED=True), environ={}).test_client()
    page = client.get("/screening/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    assert client.post("/screening/", data={"concerns": ["relaxation"]}).status_code == 400
    response = client.post("/screening/", data={"concerns": ["relaxation"], "csrf_token": token.group(1)})
    assert (response.status_code, response.headers["Location"]) == (303, "/screening/warning-signs")
