"""The times page as a patient uses it: the therapist chosen is the one booked, the coming days, the policy."""

from __future__ import annotations

import re
from datetime import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, ClinicSettings
from booking.security import CONTENT_SECURITY_POLICY
from tests.appointments.conftest import input_value, slot_buttons
from tests.appointments.pageforms import forms_of, press
from tests.factories import Clinic, Therapist, TherapistFactory

PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
SUNDAY_NINE_TO_FIVE = [(6, time(9), time(17))]
EIGHT_AM_SUNDAY = "2026-11-01T15:00:00Z"  # 08:00 MST: the others are free, Zoe Marsh is not yet working
TEN_AM_SUNDAY = "2026-11-01T17:00:00Z"


def first_available_on_sunday(client: FlaskClient, clinic: Clinic) -> str:
    """The times page of 1 November for first available."""
    screening = clinic.screenings["physiotherapy"]
    return client.get(f"/book/{screening.id}/times", query_string={
        "service": clinic.physio.code, "therapist": "any", "date": "2026-11-01"}).get_data(as_text=True)


def zoe(clinic: Clinic) -> Therapist:
    """A physiotherapist who works on Sundays from 9 to 5 only (named last: first available picks another)."""
    return TherapistFactory(name="Zoe Marsh", hours=SUNDAY_NINE_TO_FIVE)


def test_a_time_tapped_after_choosing_a_therapist_is_never_booked_with_someone_else(
        client: FlaskClient, clinic: Clinic) -> None:
    therapist = zoe(clinic)
    page = first_available_on_sunday(client, clinic)
    assert EIGHT_AM_SUNDAY in dict(slot_buttons(page))

    answer = press(client, page, EIGHT_AM_SUNDAY, choose={"therapist": str(therapist.id)})
    shown = answer.get_data(as_text=True)
    assert "Your details" not in shown
    assert "Zoe Marsh has no open time at 8:00" in shown
    assert input_value(shown, "therapist") is not None
    assert re.search(rf'<input[^>]*checked[^>]*value="{therapist.id}"|<input[^>]*value="{therapist.id}"[^>]*checked',
                     shown)
    assert slot_buttons(shown)[0][0] == "2026-11-01T16:00:00Z"  # her first time: 9:00
    assert list(db.session.scalars(select(Appointment))) == []


def test_a_time_the_chosen_therapist_has_books_that_therapist(client: FlaskClient, clinic: Clinic) -> None:
    therapist = zoe(clinic)
    page = first_available_on_sunday(client, clinic)
    details = press(client, page, TEN_AM_SUNDAY, choose={"therapist": str(therapist.id)}).get_data(as_text=True)
    assert "Your details" in details and "Zoe Marsh" in details
    (form,) = [f for f in forms_of(details) if f.method == "post"]
    client.post(form.action, data=dict(form.values(PATIENT, "")) | PATIENT)
    (appointment,) = db.session.scalars(select(Appointment))
    assert appointment.therapist_id == therapist.id


# Without a separate button where JavaScript runs; the coming days ------------------------------

def test_the_coming_days_show_which_have_open_times_and_lead_to_the_next_one(client: FlaskClient,
                                                                             clinic: Clinic) -> None:
    therapist = zoe(clinic)
    screening = clinic.screenings["physiotherapy"]
    page = client.get(f"/book/{screening.id}/times", query_string={
        "service": clinic.physio.code, "therapist": therapist.id, "date": "2026-10-30"}).get_data(as_text=True)
    assert slot_buttons(page) == []
    days = re.findall(r'<a class="coming-day( coming-day--open)?" href="([^"]+)"[^>]*>\s*<span>([^<]+)</span>\s*'
                      r'<span class="coming-state">([^<]+)</span>', page)
    assert [(label, state) for _, _, label, state in days] == [
        ("Fri Oct 30", "No times"), ("Sat Oct 31", "No times"), ("Sun Nov 1", "Open times"), ("Mon Nov 2", "No times"),
        ("Tue Nov 3", "No times"), ("Wed Nov 4", "No times"), ("Thu Nov 5", "No times")]
    next_open = re.search(r'<a class="button next-open" href="([^"]+)"[^>]*>Next day with open times: '
                          r'Sunday November 1</a>', page)
    assert next_open and "date=2026-11-01" in next_open.group(1)
    sunday = client.get(next_open.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert slot_buttons(sunday)[0] == ("2026-11-01T16:00:00Z", "9:00 a.m. MST")
    assert "Next day with open times: Sunday November 8" in sunday


def test_the_times_update_on_each_change_with_our_own_scripts_and_the_csp_unchanged(
        client: FlaskClient, clinic: Clinic) -> None:
    response = client.get(f"/book/{clinic.screenings['physiotherapy'].id}/times",
                          query_string={"service": clinic.physio.code})
    page = response.get_data(as_text=True)
    (form,) = re.findall(r"<form[^>]*>", page)
    assert 'hx-get="/book/' in form and 'hx-trigger="change' in form and 'hx-select="#picker"' in form
    assert re.search(r'<button class="button js-hidden" type="submit">Show open times</button>', page)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script src="/static/js/booking.js">',
                       '<script src="/static/js/htmx.min.js" defer>']
    assert re.search(r"<script[^>]*>\s*[^<\s]", page) is None  # nothing inline
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    htmx = client.get("/static/js/htmx.min.js")
    assert htmx.status_code == 200 and htmx.get_data(as_text=True).startswith("/* htmx 2.")
    assert "Zero-Clause BSD" in htmx.get_data(as_text=True).splitlines()[0]
    script = client.get("/static/js/booking.js").get_data(as_text=True)
    assert 'classList.add("js")' in script and "error-summary" in script and "day-heading" in script
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".js .js-hidden { display: none; }" in css


def test_times_and_day_links_are_tap_targets_of_44_pixels(client: FlaskClient) -> None:
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert re.search(r"\.slot \{[^}]*min-height: 2\.75rem", css)
    assert re.search(r"\.day-nav a, \.coming-day, \.next-open \{[^}]*min-height: 2\.75rem", css)


# The cancellation policy, before booking ---------------------------------------------------------

def test_the_policy_is_shown_before_booking_and_a_time_inside_the_cut_off_is_flagged(
        client: FlaskClient, clinic: Clinic, app: Flask) -> None:
    db.session.get(ClinicSettings, 1).cancel_cutoff_hours = 48
    db.session.commit()
    screening = clinic.screenings["physiotherapy"]
    times = client.get(f"/book/{screening.id}/times", query_string={"service": clinic.physio.code})
    assert "Free to change until 48 hours before" in times.get_data(as_text=True)

    def details(start: str) -> str:
        return client.get(f"/book/{screening.id}/details", query_string={
            "service": clinic.physio.code, "start": start}).get_data(as_text=True)

    soon = details("2026-10-30T15:00:00Z")  # tomorrow at 9: 24 hours away
    assert "This visit cannot be changed online" in soon and "less than 48 hours from now" in soon
    later = details("2026-11-02T16:00:00Z")
    assert "This visit cannot be changed online" not in later and "Free to change until 48 hours before" in later
