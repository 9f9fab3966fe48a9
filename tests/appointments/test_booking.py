"""Booking after the screening: service, day and time, details, confirmation and the .ics."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import icalendar
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment
from tests.appointments.conftest import input_value, radio_options, slot_buttons
from tests.factories import AppointmentFactory, Clinic, TherapistFactory, local

PATIENT = {"name": "Avery Singh", "email": "Avery@Example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
SUNDAY_NINE_TO_FIVE = [(6, time(9), time(17))]


def times_url(clinic: Clinic, kind: str = "physiotherapy", **query: object) -> str:
    """The day picker of a screening, for the clinic's service of that kind."""
    screening = clinic.screenings[kind]
    service = clinic.physio if kind != "massage" else clinic.massage
    params = "&".join(f"{key}={value}" for key, value in {"service": service.code, **query}.items())
    return f"/book/{screening.id}/times?{params}"


def details_form(client: FlaskClient, clinic: Clinic, start: datetime, therapist: object = "any",
                 kind: str = "physiotherapy") -> dict[str, str]:
    """Open the details step of the physiotherapy service for a time (after a screening of this kind)
    and return its hidden fields."""
    screening = clinic.screenings[kind]
    page = client.get(f"/book/{screening.id}/details", query_string={
        "service": clinic.physio.code, "therapist": therapist,
        "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}).get_data(as_text=True)
    return {name: input_value(page, name) or "" for name in ("service", "therapist", "starts_at", "idempotency_key")}


def appointments() -> list[Appointment]:
    return list(db.session.scalars(select(Appointment)))


# Step 1: the service ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "shown", "hidden"), [
    ("physiotherapy", ["Physiotherapy assessment"], ["Massage therapy"]),
    ("massage", ["Massage therapy (60 minutes)"], ["Physiotherapy assessment"]),
])
def test_only_the_recommended_services_are_offered(client: FlaskClient, clinic: Clinic, kind: str,
                                                   shown: list[str], hidden: list[str]) -> None:
    page = client.get(f"/book/{clinic.screenings[kind].id}").get_data(as_text=True)
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page


def test_combined_care_books_the_physiotherapy_assessment_as_a_single_visit(client: FlaskClient,
                                                                            clinic: Clinic) -> None:
    page = client.get(f"/book/{clinic.screenings['combined'].id}").get_data(as_text=True)
    assert "Physiotherapy assessment" in page and "Massage therapy (60 minutes)" not in page
    assert "starts with a physiotherapy\n    assessment" in page


def test_refer_out_shows_the_advice_and_no_form(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["refer_out"]
    response = client.get(f"/book/{screening.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Call 911" in page
    assert "<form" not in page
    for step in ("times", "details"):
        later = client.get(f"/book/{screening.id}/{step}?service={clinic.physio.code}")
        assert "<form" not in later.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/book/6f1c2a4e-0000-4000-8000-000000000001", "/book/not-a-uuid",
                                  "/book/6f1c2a4e-0000-4000-8000-000000000002/times"])
def test_unknown_screening_is_not_found(client: FlaskClient, clinic: Clinic, path: str) -> None:
    assert client.get(path).status_code == 404


def test_choosing_a_service_leads_to_the_day_picker(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    response = client.get(f"/book/{screening.id}", query_string={"service": clinic.physio.code})
    assert response.status_code == 302
    assert response.location == f"/book/{screening.id}/times?service={clinic.physio.code}"
    missing = client.get(f"/book/{screening.id}", query_string={"service": clinic.massage.code})
    assert missing.status_code == 200 and "There is a problem" in missing.get_data(as_text=True)


# Step 2: the day and time ----------------------------------------------------------------------

def test_times_are_shown_in_clinic_time_with_the_zone_across_the_dst_change(
        client: FlaskClient, clinic: Clinic) -> None:
    therapist = TherapistFactory(name="Dana Fall", hours=[(5, time(9), time(17)), *SUNDAY_NINE_TO_FIVE])
    page = client.get(times_url(clinic, therapist=therapist.id, date="2026-11-01")).get_data(as_text=True)
    labels = [label for _, label in slot_buttons(page)]
    assert labels[0] == "9:00 a.m. MST" and labels[-1] == "4:00 p.m. MST"
    assert len(labels) == 29  # 09:00 to 16:00 on a 15-minute grid, one hour visit
    assert "Morning" in page and "Afternoon" in page and "Evening" not in page
    values = dict((label, value) for value, label in slot_buttons(page))
    assert values["9:00 a.m. MST"] == "2026-11-01T16:00:00Z"
    saturday = client.get(times_url(clinic, therapist=therapist.id, date="2026-10-31")).get_data(as_text=True)
    assert slot_buttons(saturday)[0] == ("2026-10-31T15:00:00Z", "9:00 a.m. MDT")


def test_first_available_shows_each_time_once(client: FlaskClient, clinic: Clinic) -> None:
    page = client.get(times_url(clinic, therapist="any", date="2026-10-30")).get_data(as_text=True)
    labels = [label for _, label in slot_buttons(page)]
    assert labels[0] == "8:00 a.m. MDT"
    assert len(labels) == len(set(labels)) == 45  # 08:00 to 19:00, both therapists free
    assert "Evening" in page


def test_the_first_day_with_openings_is_shown_by_default(client: FlaskClient, clinic: Clinic) -> None:
    therapist = TherapistFactory(hours=SUNDAY_NINE_TO_FIVE)
    page = client.get(times_url(clinic, therapist=therapist.id)).get_data(as_text=True)
    assert input_value(page, "date") == "2026-11-01"
    assert "Open times on Sunday November 1, 2026" in page
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_today_starts_after_the_notice_period_and_has_no_previous_day(client: FlaskClient, clinic: Clinic) -> None:
    page = client.get(times_url(clinic, date="2026-10-29")).get_data(as_text=True)
    assert slot_buttons(page)[0][1] == "11:00 a.m. MDT"  # now 09:00, two hours' notice
    assert 'rel="prev"' not in page


@pytest.mark.parametrize(("day", "error"), [("yesterday", "Enter a date like"),
                                            ("2026-10-01", "Choose today or a later day.")])
def test_a_bad_day_is_explained_and_a_good_one_shown(client: FlaskClient, clinic: Clinic, day: str,
                                                     error: str) -> None:
    page = client.get(times_url(clinic, date=day)).get_data(as_text=True)
    assert error in page and 'href="#date"' in page
    assert slot_buttons(page)


# Steps 3 and 4: details and booking --------------------------------------------------------------

def test_booking_end_to_end(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    therapist = TherapistFactory(name="Dana Fall", hours=SUNDAY_NINE_TO_FIVE)
    page = client.get(f"/book/{screening.id}", follow_redirects=True,
                      query_string={"service": clinic.physio.code}).get_data(as_text=True)
    assert "Choose a day and time" in page
    page = client.get(times_url(clinic, therapist=therapist.id, date="2026-11-01")).get_data(as_text=True)
    start = dict((label, value) for value, label in slot_buttons(page))["9:00 a.m. MST"]
    details = client.get(f"/book/{screening.id}/details", query_string={
        "service": clinic.physio.code, "therapist": therapist.id, "start": start}).get_data(as_text=True)
    assert "Sunday November 1, 2026 at 9:00 a.m. MST" in details and "Dana Fall" in details
    assert 'href="/book/privacy"' in details
    form = {name: input_value(details, name) for name in ("service", "therapist", "starts_at", "idempotency_key")}
    assert form["idempotency_key"]

    response = client.post(f"/book/{screening.id}/details", data={**form, **PATIENT})
    assert response.status_code == 303
    (appointment,) = appointments()
    assert response.location.startswith("/book/confirmed/")
    token = response.location.rsplit("/", 1)[1]
    assert str(screening.id) not in response.location

    page = client.get(response.location).get_data(as_text=True)
    assert "Your visit is booked" in page
    assert "Sunday November 1, 2026" in page and "9:00 a.m. MST" in page
    assert "Dana Fall" in page and "Physiotherapy assessment" in page
    assert "101 Riverfront Avenue SW, Calgary, AB T2P 0A1" in page and 'href="tel:+14035550142"' in page
    assert f'href="http://localhost/book/manage/{token}"' in page
    assert f'href="/book/manage/{token}/calendar.ics"' in page

    ics = client.get(f"/book/manage/{token}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    assert "attachment" in ics.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(ics.data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 11, 1, 17, 0, tzinfo=UTC)
    assert str(appointment.id) in str(event["uid"])
    assert "Physiotherapy assessment" in str(event["summary"]) and "Bow River" in str(event["summary"])
    assert str(event["location"]) == "101 Riverfront Avenue SW, Calgary, AB T2P 0A1"
    assert f"http://localhost/book/manage/{token}" in str(event["description"])
    assert "+1 403-555-0142" in str(event["description"])
    assert "chronic" not in ics.get_data(as_text=True).lower()
    assert appointment.patient.email == "avery@example.com" and appointment.patient.phone == "+14035550199"


def test_first_available_books_a_free_therapist(client: FlaskClient, clinic: Clinic) -> None:
    form = details_form(client, clinic, local(2026, 10, 30, 10))
    assert form["therapist"] == "any"
    response = client.post(f"/book/{clinic.screenings['physiotherapy'].id}/details", data={**form, **PATIENT})
    assert response.status_code == 303
    (appointment,) = appointments()
    assert appointment.therapist in clinic.physiotherapists
    assert appointment.starts_at == local(2026, 10, 30, 10)


def test_a_double_submit_books_once(client: FlaskClient, clinic: Clinic) -> None:
    form = details_form(client, clinic, local(2026, 10, 30, 10))
    url = f"/book/{clinic.screenings['physiotherapy'].id}/details"
    first = client.post(url, data={**form, **PATIENT})
    second = client.post(url, data={**form, **PATIENT})
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    assert "Your visit is booked" in client.get(second.location).get_data(as_text=True)


def test_each_form_gets_its_own_idempotency_key(client: FlaskClient, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 10)
    assert details_form(client, clinic, start)["idempotency_key"] != details_form(client, clinic, start)["idempotency_key"]


def test_the_form_sent_again_with_a_change_books_nothing_more_and_says_why_in_plain_words(
        client: FlaskClient, clinic: Clinic) -> None:
    form = details_form(client, clinic, local(2026, 10, 30, 10))
    url = f"/book/{clinic.screenings['physiotherapy'].id}/details"
    assert client.post(url, data={**form, **PATIENT}).status_code == 303
    again = client.post(url, data={**form, **PATIENT, "phone": "403-555-0199"})  # back, a detail changed, sent
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and len(appointments()) == 1
    assert "This form was sent once already, and the booking it made stands" in page
    assert "Idempotency-Key" not in page and input_value(page, "phone") == "403-555-0199"


@pytest.mark.parametrize(("field", "value", "error"), [
    ("email", "avery@", "Enter the part after the @, like name@example.com."),
    ("phone", "12", "phone number"),
    ("name", "  ", "Enter your full name."),
    ("consent", None, "Tick the box to agree to the privacy notice"),
])
def test_errors_are_shown_next_to_the_field_and_typing_is_kept(client: FlaskClient, clinic: Clinic, field: str,
                                                               value: str | None, error: str) -> None:
    form = details_form(client, clinic, local(2026, 10, 30, 10))
    data = {**form, **PATIENT, field: value}
    response = client.post(f"/book/{clinic.screenings['physiotherapy'].id}/details",
                           data={key: val for key, val in data.items() if val is not None})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and f'href="#{field}"' in page
    assert re.search(rf'id="{field}-error">.*{re.escape(error)}', page)
    for other in ("name", "email", "phone"):
        if other != field:
            assert input_value(page, other) == PATIENT[other]
    assert input_value(page, "idempotency_key") == form["idempotency_key"]
    assert input_value(page, "starts_at") == form["starts_at"]
    assert appointments() == []


def test_a_time_taken_meanwhile_answers_409_offers_fresh_times_and_keeps_the_details(client: FlaskClient,
                                                                         clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    start = local(2026, 10, 30, 10)
    form = details_form(client, clinic, start, therapist=therapist.id)
    AppointmentFactory(therapist=therapist, service=clinic.physio, starts_at=start)  # someone else was quicker
    url = f"/book/{clinic.screenings['physiotherapy'].id}/details"
    response = client.post(url, data={**form, **PATIENT})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "That time was just taken" in page
    options = radio_options(page, "starts_at")
    assert options and all("MDT" in label for _, label in options)
    assert ("2026-10-30T15:00:00Z", "Friday October 30 at 9:00 a.m. MDT") in options  # nearest, in time order
    assert ("2026-10-30T17:00:00Z", "Friday October 30 at 11:00 a.m. MDT") in options
    assert [value for value, _ in options] == sorted(value for value, _ in options)
    assert form["starts_at"] not in [value for value, _ in options]
    for name in ("name", "email", "phone"):
        assert input_value(page, name) == PATIENT[name]
    assert re.search(r'<input[^>]*checked[^>]*name="consent"|<input[^>]*name="consent"[^>]*checked', page)

    again = client.post(url, data={**form, **PATIENT, "starts_at": options[0][0]})
    assert again.status_code == 303
    assert len(appointments()) == 2


def test_a_time_no_longer_open_is_explained(client: FlaskClient, clinic: Clinic) -> None:
    form = details_form(client, clinic, local(2026, 10, 29, 9, 30))  # inside the notice period
    page = client.post(f"/book/{clinic.screenings['physiotherapy'].id}/details",
                       data={**form, **PATIENT}).get_data(as_text=True)
    assert "at least 120 minutes from now" in page
    assert radio_options(page, "starts_at")
    assert appointments() == []


def test_the_details_step_needs_a_service_and_a_time(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    response = client.get(f"/book/{screening.id}/details?service={clinic.physio.code}")
    assert response.status_code == 302 and response.location == f"/book/{screening.id}"


def test_the_privacy_notice_names_the_law_and_the_clinic(client: FlaskClient) -> None:
    page = client.get("/book/privacy").get_data(as_text=True)
    assert "Health Information Act" in page and "PIPA" in page
    assert 'href="tel:+14035550142"' in page


def test_every_input_of_the_booking_pages_has_a_label(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    pages = [client.get(f"/book/{screening.id}").get_data(as_text=True),
             client.get(times_url(clinic)).get_data(as_text=True),
             client.get(f"/book/{screening.id}/details", query_string={
                 "service": clinic.physio.code, "start": "2026-10-30T16:00:00Z"}).get_data(as_text=True)]
    for page in pages:
        visible = [tag for tag in re.findall(r"<(?:input|textarea|select)[^>]*>", page) if 'type="hidden"' not in tag]
        assert visible
        for tag in visible:
            field_id = re.search(r'\bid="([^"]+)"', tag).group(1)
            assert f'for="{field_id}"' in page, tag
