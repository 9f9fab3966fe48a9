"""A combined screening books massage right before physiotherapy: one choice, one booking, one confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, TimeOff
from booking.services.visits import cancel, derive_manage_token, reschedule
from tests.appointments.conftest import input_value, radio_options, slot_buttons
from tests.factories import AppointmentFactory, Clinic, local
from tests.together import at_once

PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
FRIDAY = "2026-10-30"
HOUR = timedelta(hours=1)


def utc(moment: datetime) -> str:
    """A start as the booking flow writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def choice(clinic: Clinic) -> dict[str, str]:
    """The pair's services with the first therapist of each kind."""
    return {"massage": clinic.massage.code, "physio": clinic.physio.code,
            "massage_therapist": str(clinic.massage_therapists[0].id),
            "physio_therapist": str(clinic.physiotherapists[0].id)}


def pair_url(clinic: Clinic, step: str = "") -> str:
    """A step of the pair booking of the combined screening."""
    return f"/book/{clinic.screenings['combined'].id}/pair{step}"


def details_fields(client: FlaskClient, clinic: Clinic, massage_start: datetime) -> dict[str, str]:
    """Open the details step for a pair and return its hidden fields with the patient's details."""
    page = client.get(pair_url(clinic, "/details"), query_string={**choice(clinic), "start": utc(massage_start)})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    names = ("service", "physio", "massage_therapist", "physio_therapist", "starts_at", "idempotency_key")
    return {**{name: input_value(text, name) or "" for name in names}, **PATIENT}


def appointments() -> list[Appointment]:
    return list(db.session.scalars(select(Appointment).order_by(Appointment.starts_at)))


def test_the_pair_is_offered_only_for_a_combined_screening(client: FlaskClient, clinic: Clinic) -> None:
    combined = client.get(f"/book/{clinic.screenings['combined'].id}").get_data(as_text=True)
    assert "book a massage right before your\n    assessment" in combined
    assert f'href="{pair_url(clinic)}"' in combined
    for kind in ("physiotherapy", "massage"):
        screening = clinic.screenings[kind]
        assert "/pair" not in client.get(f"/book/{screening.id}").get_data(as_text=True)
        for step in ("", "/times", "/details"):
            response = client.get(f"/book/{screening.id}/pair{step}")
            assert response.status_code == 302
            assert response.headers["Location"].endswith(f"/book/{screening.id}")


def test_the_pair_page_offers_both_services_and_therapists(client: FlaskClient, clinic: Clinic) -> None:
    page = client.get(pair_url(clinic)).get_data(as_text=True)
    assert [value for value, _ in radio_options(page, "massage")] == [clinic.massage.code]
    assert [value for value, _ in radio_options(page, "physio")] == [clinic.physio.code]
    for name, therapists in (("massage_therapist", clinic.massage_therapists),
                             ("physio_therapist", clinic.physiotherapists)):
        assert {value for value, _ in radio_options(page, name)} == {"any", *(str(t.id) for t in therapists)}


def test_offered_pair_times_are_adjacent_and_both_free(client: FlaskClient, clinic: Clinic) -> None:
    physio_taken = local(2026, 10, 30, 10)
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0], starts_at=physio_taken)
    massage_taken = local(2026, 10, 30, 15)
    AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0], starts_at=massage_taken)
    db.session.commit()
    page = client.get(pair_url(clinic, "/times"), query_string={**choice(clinic), "date": FRIDAY})
    buttons = slot_buttons(page.get_data(as_text=True))
    starts = [datetime.fromisoformat(value.replace("Z", "+00:00")) for value, _ in buttons]
    assert starts, "the day has pair times"
    assert local(2026, 10, 30, 8) in starts
    assert local(2026, 10, 30, 9) not in starts  # its physiotherapy visit would start at 10:00, taken
    assert local(2026, 10, 30, 10) in starts  # physiotherapy at 11:00, right after the taken visit
    assert local(2026, 10, 30, 14) not in starts  # the massage therapist is busy from 15:00
    massage_reach = HOUR + clinic.massage.buffer
    for start in starts:  # each massage ends as its physiotherapy visit starts; neither meets a booked visit
        assert not physio_taken - HOUR < start + HOUR < physio_taken + HOUR
        assert not massage_taken - massage_reach < start < massage_taken + massage_reach
    assert buttons[0][1] == "8:00 a.m. MDT massage, then 9:00 a.m. physiotherapy"


def test_a_pair_time_tapped_goes_to_the_details_of_both_visits(client: FlaskClient, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 11)
    response = client.get(pair_url(clinic, "/times"), query_string={**choice(clinic), "date": FRIDAY,
                                                                     "start": utc(start)})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Friday October 30, 2026 at 11:00 a.m. MDT (massage), then 12:00 p.m. MDT (physiotherapy)" in page
    assert input_value(page, "starts_at") == utc(start)


def test_booking_stores_both_visits_and_confirms_them_on_one_page(client: FlaskClient, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 11)
    response = client.post(pair_url(clinic, "/details"), data=details_fields(client, clinic, start))
    assert response.status_code == 303
    massage, physio = appointments()
    assert (massage.service_id, massage.therapist_id, massage.starts_at) == (
        clinic.massage.id, clinic.massage_therapists[0].id, start.astimezone(UTC))
    assert (physio.service_id, physio.therapist_id, physio.starts_at) == (
        clinic.physio.id, clinic.physiotherapists[0].id, massage.ends_at)
    assert massage.patient_id == physio.patient_id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your two visits are booked" in page and "One email confirming both visits" in page
    assert page.index("Massage therapy (60 minutes)") < page.index("Physiotherapy assessment")
    for visit in (massage, physio):
        assert f"/book/manage/{derive_manage_token(visit.id)}" in page
    assert "11:00 a.m. MDT to 12:00 p.m. MDT" in page and "12:00 p.m. MDT to 1:00 p.m. MDT" in page


def test_the_pair_needs_the_under_18_answer_and_keeps_what_was_typed(client: FlaskClient, clinic: Clinic) -> None:
    fields = {**details_fields(client, clinic, local(2026, 10, 30, 11)), "under_18": ""}
    response = client.post(pair_url(clinic, "/details"), data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Say whether the patient is under 18." in page
    assert input_value(page, "name") == PATIENT["name"] and input_value(page, "phone") == PATIENT["phone"]
    assert appointments() == []


def test_the_pair_records_an_adult_answer(client: FlaskClient, clinic: Clinic) -> None:
    client.post(pair_url(clinic, "/details"), data=details_fields(client, clinic, local(2026, 10, 30, 11)))
    assert {(visit.patient.birth_date, visit.patient.adult_on) for visit in appointments()} == {
        (None, local(2026, 10, 29, 0).date())}


def test_the_calendar_file_has_both_visits(client: FlaskClient, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 11)
    confirmation = client.post(pair_url(clinic, "/details"), data=details_fields(client, clinic, start))
    ics = client.get(confirmation.headers["Location"] + "/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert len(events) == 2
    zone = start.tzinfo
    assert [(e.decoded("dtstart").astimezone(zone), e.decoded("dtend").astimezone(zone)) for e in events] == [
        (start, start + HOUR), (start + HOUR, start + 2 * HOUR)]
    assert len({str(e["uid"]) for e in events}) == 2
    assert "Massage" in str(events[0]["summary"]) and "Physiotherapy" in str(events[1]["summary"])


def test_a_physiotherapy_time_taken_meanwhile_answers_409_books_neither_and_shows_nearby_pairs(
        client: FlaskClient, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 11)
    fields = details_fields(client, clinic, start)
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0], starts_at=start + HOUR)
    db.session.commit()
    response = client.post(pair_url(clinic, "/details"), data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 409  # as a single visit's page and the API answer a time just taken
    assert len(appointments()) == 1  # only the visit taken meanwhile: no massage was stored
    assert "neither is booked" in page
    assert input_value(page, "name") == PATIENT["name"]
    assert input_value(page, "email") == PATIENT["email"]
    options = radio_options(page, "starts_at")
    assert options and utc(start) not in [value for value, _ in options]
    assert options[0][1] == "Friday October 30 at 10:00 a.m. MDT massage, then 11:00 a.m. physiotherapy"
    chosen = {**fields, "starts_at": options[0][0]}
    booked = client.post(pair_url(clinic, "/details"), data=chosen)
    assert booked.status_code == 303
    assert len(appointments()) == 3


@pytest.mark.commits
def test_two_patients_racing_for_one_pair_get_one_booking_and_the_other_a_409_with_other_pairs(
        app: Flask, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 11)
    racers = [app.test_client() for _ in range(2)]
    forms = [{**details_fields(racer, clinic, start), "email": f"racer{n}@example.com"}
             for n, racer in enumerate(racers)]
    url = pair_url(clinic, "/details")
    responses = at_once([lambda racer=racer, form=form: racer.post(url, data=form)
                         for racer, form in zip(racers, forms, strict=True)])
    assert sorted(response.status_code for response in responses) == [303, 409]
    lost = next(response for response in responses if response.status_code == 409).get_data(as_text=True)
    assert "Choose another pair of times" in lost
    options = radio_options(lost, "starts_at")
    assert options and utc(start) not in [value for value, _ in options]
    assert len(appointments()) == 2  # one pair, booked once


def test_the_pair_pages_of_a_single_visit_lead_to_the_visit(client: FlaskClient, clinic: Clinic) -> None:
    alone = AppointmentFactory(service=clinic.massage, therapist=clinic.massage_therapists[0],
                               starts_at=local(2026, 10, 30, 11))
    db.session.commit()
    token = derive_manage_token(alone.id)
    for path in (f"/book/pair/{token}", f"/book/pair/{token}/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/book/manage/{token}")
    assert client.get("/book/pair/not-a-token").status_code == 404


@pytest.mark.parametrize("change", ["cancel the physiotherapy", "cancel both", "move the physiotherapy"])
def test_a_pair_no_longer_booked_together_leads_each_page_to_the_visit(client: FlaskClient, clinic: Clinic,
                                                                       change: str) -> None:
    confirmation = client.post(pair_url(clinic, "/details"),
                               data=details_fields(client, clinic, local(2026, 10, 30, 11)))
    massage, physio = appointments()
    if change == "move the physiotherapy":
        reschedule(physio, local(2026, 10, 30, 14))
    else:
        cancel(physio)
        if change == "cancel both":
            cancel(massage)
    for path in (confirmation.headers["Location"], confirmation.headers["Location"] + "/calendar.ics"):
        response = client.get(path)  # no calendar file with a cancelled visit in it, no 404 for a moved one
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/book/manage/{derive_manage_token(massage.id)}")


def test_first_available_for_both_books_a_free_therapist_of_each_kind(client: FlaskClient, clinic: Clinic) -> None:
    start = local(2026, 10, 30, 11)
    AppointmentFactory(service=clinic.physio, therapist=clinic.physiotherapists[0], starts_at=start + HOUR)
    db.session.commit()
    query = {**choice(clinic), "massage_therapist": "any", "physio_therapist": "any"}
    page = client.get(pair_url(clinic, "/times"), query_string={**query, "date": FRIDAY}).get_data(as_text=True)
    assert utc(start) in [value for value, _ in slot_buttons(page)]  # the other physiotherapist is free at noon
    details = client.get(pair_url(clinic, "/details"), query_string={**query, "start": utc(start)})
    text = details.get_data(as_text=True)
    fields = {name: input_value(text, name) or "" for name in (
        "service", "physio", "massage_therapist", "physio_therapist", "starts_at", "idempotency_key")}
    assert client.post(pair_url(clinic, "/details"), data={**fields, **PATIENT}).status_code == 303
    massage, physio = (visit for visit in appointments() if visit.patient.name == PATIENT["name"])
    assert physio.therapist_id == clinic.physiotherapists[1].id
    assert physio.starts_at == massage.ends_at


def test_the_pair_times_open_on_the_first_day_with_a_pair_even_weeks_ahead(client: FlaskClient, clinic: Clinic) -> None:
    away = clinic.massage_therapists[0]
    db.session.add(TimeOff(therapist_id=away.id, starts_at=local(2026, 10, 29, 0), ends_at=local(2026, 11, 7, 0)))
    db.session.commit()
    page = client.get(pair_url(clinic, "/times"), query_string=choice(clinic)).get_data(as_text=True)
    assert "Open times on Saturday November 7, 2026" in page
    assert slot_buttons(page)[0] == (utc(local(2026, 11, 7, 8)),
                                     "8:00 a.m. MST massage, then 9:00 a.m. physiotherapy")
    earlier = client.get(pair_url(clinic, "/times"),
                         query_string={**choice(clinic), "date": "2026-10-30"}).get_data(as_text=True)
    assert slot_buttons(earlier) == []
    assert "Next day with open times: Saturday November 7" in earlier
    outside = client.get(pair_url(clinic, "/times"),
                         query_string={**choice(clinic), "date": "2026-10-01"}).get_data(as_text=True)
    assert "Choose a day from October 29 to January 27, 2027." in outside
