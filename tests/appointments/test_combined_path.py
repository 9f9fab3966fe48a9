"""A new patient whose screening recommends physiotherapy and massage together is told one thing on every page:
the first visit is a massage right before the physiotherapy assessment (or the assessment on its own), and the
clinic then plans the rest of the care with them."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.appointments.test_booking import details_form
from tests.appointments.test_pair_booking import PATIENT, details_fields, pair_url
from tests.factories import Clinic, local

REST_OF_CARE = ("After your first visit, we plan the rest of your care with you: how many visits of each kind, "
                "and how often.")
# What the pages said before, each contradicting the offer of a pair beside it.
CONTRADICTIONS = ("book that first", "you can book massage therapy too", "Book a single visit",
                  "Book a physiotherapy appointment", "Start by booking")


def main(response: TestResponse) -> str:
    """The page's main content, its lines joined as a browser shows them."""
    assert response.status_code == 200
    page = response.get_data(as_text=True).split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", page)


def says_one_thing(page: str) -> None:
    """The page explains the rest of the care as every other page does, and contradicts none of them."""
    assert REST_OF_CARE in page
    for words in CONTRADICTIONS:
        assert words not in page


def test_the_result_offers_the_pair_first_and_the_assessment_alone_second(client: FlaskClient,
                                                                          clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    page = main(client.get(f"/screening/{screening.id}"))
    says_one_thing(page)
    assert ("Your first visit: a massage, then your physiotherapy assessment right after it, on the same day."
            in page)
    pair = f'<a class="button button--primary" href="/book/{screening.id}/pair">Book massage and physiotherapy ' \
           f'assessment</a>'
    alone = f'Or <a href="/book/{screening.id}">book the physiotherapy assessment on its own</a>.'
    assert pair in page and alone in page and page.index(pair) < page.index(alone)
    assert page.count("button--primary") == 1


def test_the_single_visit_page_books_the_assessment_and_offers_the_pair(client: FlaskClient,
                                                                      clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    page = main(client.get(f"/book/{screening.id}"))
    says_one_thing(page)
    assert "here you book the assessment on its own" in page
    assert f'<a href="/book/{screening.id}/pair">book a massage right before your assessment</a>' in page
    assert clinic.physio.name in page and clinic.massage.name not in page


def test_the_pair_page_words_the_first_visit_and_the_plan_the_same_way(client: FlaskClient,
                                                                      clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    page = main(client.get(pair_url(clinic)))
    says_one_thing(page)
    assert "Your first visit: a massage, then your physiotherapy assessment right after it, on the same day." in page
    assert f'<a href="/book/{screening.id}">book the physiotherapy assessment on its own</a>' in page


def confirmation(client: FlaskClient, booked: TestResponse) -> str:
    """The main content of the confirmation page a booking was sent on to."""
    assert booked.status_code == 303
    return main(client.get(booked.headers["Location"]))


def test_the_pair_confirmation_says_the_clinic_plans_the_rest(client: FlaskClient, clinic: Clinic) -> None:
    page = confirmation(client, client.post(pair_url(clinic, "/details"),
                                            data=details_fields(client, clinic, local(2026, 10, 30, 11))))
    assert "Your two visits are booked" in page
    says_one_thing(page)


def test_the_assessment_booked_alone_says_the_clinic_plans_the_rest(client: FlaskClient, clinic: Clinic) -> None:
    fields = details_form(client, clinic, local(2026, 10, 30, 10), kind="combined")
    page = confirmation(client, client.post(f"/book/{clinic.screenings['combined'].id}/details",
                                            data={**fields, **PATIENT}))
    assert "Your visit is booked" in page
    says_one_thing(page)


def test_a_visit_of_one_kind_says_nothing_of_a_plan(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    page = main(client.get(f"/screening/{screening.id}"))
    assert REST_OF_CARE not in page and "/pair" not in page
    assert f'href="/book/{screening.id}">Book a physiotherapy appointment</a>' in page
