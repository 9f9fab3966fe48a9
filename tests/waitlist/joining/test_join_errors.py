"""Every field of the join form says what is wrong with it, and the form comes back with what was typed; the
age question is required, and a "No" notes the adult."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import WaitlistEntry
from tests.appointments.conftest import input_value
from tests.factories import Clinic, ScreeningFactory, TherapistFactory
from tests.waitlist.joining.conftest import join

CASES = [
    ({"days": None}, "Choose at least one day of the week that suits you."),
    ({"days": ["7"]}, "Choose days of the week from Monday to Sunday."),
    ({"parts": None}, "Choose at least one part of the day that suits you: morning, afternoon or evening."),
    ({"parts": ["night"]}, "Choose parts of the day from morning, afternoon and evening."),
    ({"until": ""}, "Enter the last day you can wait for a time, for example 2027-01-31."),
    ({"until": "30/11/2026"}, "Enter a date like 2026-11-02."),
    ({"until": "2026-10-28"}, "Enter a day from today on: that day is already past."),
    ({"until": "2027-04-30"}, "Enter a day at most 6 months ahead, 2027-04-29 at the latest."),
    ({"therapist": "999999"}, "Choose a therapist from the list, or anyone."),
    ({"name": ""}, "Enter your full name."),
    ({"email": ""}, "Enter your email address, so we can send you a time when one opens."),
    ({"email": "avery@"}, "Enter the part after the @, like name@example.com."),
    ({"phone": ""}, "Enter a phone number, so we can reach you about your place on the waitlist."),
    ({"phone": "12"}, "That phone number is too short: enter all 10 digits"),
    ({"under_18": None}, "Say whether the patient is under 18."),
    ({"under_18": "yes"}, "Enter the patient's birth date: a patient under 18 has their records kept"),
    ({"consent": None}, "Tick the box to agree to the privacy notice"),
]


@pytest.mark.parametrize(("change", "message"), CASES, ids=[message[:40] for _, message in CASES])
def test_each_fields_error_is_shown_and_nothing_joins(client: FlaskClient, clinic: Clinic, change: dict[str, object],
                                                      message: str) -> None:
    answer = join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code, **change)
    page = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 200 and "There is a problem" in page
    assert message in page
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0


def test_the_form_comes_back_with_what_was_typed(client: FlaskClient, clinic: Clinic) -> None:
    chosen = clinic.physiotherapists[1]
    page = join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code, email="avery@",
                therapist=str(chosen.id), days=["1", "5"], parts=["afternoon"]).get_data(as_text=True)
    assert input_value(page, "name") == "Avery Singh" and input_value(page, "email") == "avery@"
    assert input_value(page, "phone") == "403 555 0199" and input_value(page, "until") == "2026-11-30"
    assert f'<option selected value="{chosen.id}">' in page
    checked = {value for value in ("0", "1", "2", "3", "4", "5", "6") if f'checked id="days-{value}"' in page}
    assert checked == {"1", "5"}
    assert 'checked id="parts-1"' in page and 'checked id="parts-0"' not in page


def test_the_error_summary_lists_the_problems_in_the_pages_order(client: FlaskClient, clinic: Clinic) -> None:
    page = join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code, days=None, parts=None, name="",
                email="", phone="", under_18=None, consent=None).get_data(as_text=True)
    summary = page.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'href="#([\w-]+)"', summary) == ["days-0", "parts-0", "name", "email", "phone", "under_18-0",
                                                        "consent"]


def test_a_therapist_of_another_kind_is_refused_next_to_the_field(client: FlaskClient, clinic: Clinic) -> None:
    other = clinic.massage_therapists[0]
    page = join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code,
                therapist=str(other.id)).get_data(as_text=True)
    assert "Choose a therapist from the list, or anyone." in page  # only physiotherapists are offered


def test_only_therapists_trained_for_the_cautions_are_offered(client: FlaskClient, clinic: Clinic) -> None:
    from booking.models import TherapistQualification
    nadia = TherapistFactory(name="Nadia Brooks", therapy_type="massage",
                             trained=[TherapistQualification(code="prenatal_massage")])
    pregnant = ScreeningFactory(answers={"concerns": ["relaxation"], "precautions": ["pregnancy"]})
    page = client.get(f"/book/{pregnant.id}/waitlist", query_string={"service": clinic.massage.code}).get_data(
        as_text=True)
    assert "Nadia Brooks" in page
    assert all(therapist.name not in page for therapist in clinic.massage_therapists)
    refused = join(client, pregnant.id, clinic.massage.code, therapist=str(clinic.massage_therapists[0].id))
    assert "Choose a therapist from the list, or anyone." in refused.get_data(as_text=True)
    assert join(client, pregnant.id, clinic.massage.code, therapist=str(nadia.id)).status_code == 303


def test_a_red_flag_screening_gets_its_advice_and_no_form(client: FlaskClient, clinic: Clinic) -> None:
    red = clinic.screenings["refer_out"]
    page = client.get(f"/book/{red.id}/waitlist", query_string={"service": clinic.physio.code}).get_data(as_text=True)
    assert "Please do not book with us yet" in page and "Join the waitlist</button>" not in page
    answer = join(client, red.id, clinic.physio.code)
    assert "Please do not book with us yet" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0


def test_a_service_the_screening_does_not_recommend_goes_back_to_the_services(client: FlaskClient,
                                                                             clinic: Clinic) -> None:
    answer = client.get(f"/book/{clinic.screenings['physiotherapy'].id}/waitlist",
                        query_string={"service": clinic.massage.code})
    assert answer.status_code == 302 and answer.location.endswith(f"/book/{clinic.screenings['physiotherapy'].id}")


def test_a_form_sent_twice_makes_one_place_and_says_where_it_is(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    assert join(client, screening.id, clinic.physio.code).status_code == 303
    again = join(client, screening.id, clinic.physio.code)
    assert again.status_code == 200
    assert "This screening is already on the waitlist for this service" in unescape(again.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 1


def test_the_answers_are_kept_when_the_age_is_missing(client: FlaskClient, clinic: Clinic) -> None:
    page = join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code, under_18=None,
                birth_date="2012-04-23").get_data(as_text=True)
    assert "Say whether the patient is under 18." in page
    assert input_value(page, "name") == "Avery Singh" and input_value(page, "birth_date") == "2012-04-23"
    assert 'checked id="days-0"' in page and 'checked id="parts-2"' in page


def test_a_no_joins_and_notes_the_adult(client: FlaskClient, clinic: Clinic) -> None:
    assert join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code).status_code == 303
    patient = db.session.scalars(select(WaitlistEntry)).one().patient
    assert (patient.birth_date, patient.adult_on) == (None, date(2026, 10, 29))
