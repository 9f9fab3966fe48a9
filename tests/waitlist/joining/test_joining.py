"""Joining the waitlist from the times page: the form, every field's error with what was typed kept, the place's page
and leaving it."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Notification, WaitlistEntry
from booking.models.waitlist import EntryStatus
from tests.factories import Clinic
from tests.waitlist.joining.conftest import join


def _token(location: str) -> str:
    return location.rsplit("/", 1)[-1]


def test_the_times_page_links_to_the_waitlist_form_for_its_service(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    page = client.get(f"/book/{screening.id}/times", query_string={"service": clinic.physio.code}).get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]*/waitlist[^"]*)">Join the waitlist', page).group(1))
    form = client.get(link).get_data(as_text=True)
    assert "Join the waitlist" in form and "Monday" in form and "Evening" in form
    assert 'value="2026-11-26"' in form  # four weeks ahead by default


def test_joining_shows_the_place_and_emails_its_link(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["physiotherapy"]
    answer = join(client, screening.id, clinic.physio.code)
    assert answer.status_code == 303
    page = client.get(answer.location).get_data(as_text=True)
    assert "You are on the waitlist" in page
    assert "Monday, Wednesday" in page and "Anyone" in page and "Monday November 30, 2026" in page
    (entry,) = db.session.scalars(select(WaitlistEntry))
    assert entry.status == EntryStatus.WAITING and entry.patient.name == "Avery Singh"
    (email,) = db.session.scalars(select(Notification).where(Notification.waitlist_entry_id == entry.id))
    assert email.kind == "waitlist_joined"


def test_leaving_asks_first_then_takes_the_place_off(client: FlaskClient, clinic: Clinic) -> None:
    answer = join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code)
    token = _token(answer.location)
    confirm = client.get(f"/waitlist/{token}/leave").get_data(as_text=True)
    assert "Yes, leave the waitlist" in confirm
    left = client.post(f"/waitlist/{token}/leave")
    assert left.status_code == 303
    page = client.get(left.location).get_data(as_text=True)
    assert "You have left the waitlist" in page and "Leave the waitlist</a>" not in page
    (entry,) = db.session.scalars(select(WaitlistEntry))
    assert entry.status == EntryStatus.LEFT


def test_an_unknown_token_answers_404(client: FlaskClient, clinic: Clinic) -> None:
    assert client.get("/waitlist/not-a-token").status_code == 404
    assert client.post("/waitlist/not-a-token/leave").status_code == 404


def test_a_token_opens_only_its_own_place(client: FlaskClient, clinic: Clinic) -> None:
    first = _token(join(client, clinic.screenings["physiotherapy"].id, clinic.physio.code).location)
    second = _token(join(client, clinic.screenings["massage"].id, clinic.massage.code,
                         name="Robin Lee", email="robin@example.com").location)
    assert "Robin Lee" not in client.get(f"/waitlist/{first}").get_data(as_text=True)
    assert client.get(f"/waitlist/{second}").status_code == 200
    tampered = first[:-1] + ("A" if first[-1] != "A" else "B")
    assert client.get(f"/waitlist/{tampered}").status_code == 404
    assert client.post(f"/waitlist/{tampered}/leave").status_code == 404


def test_the_pair_times_page_links_to_the_waitlist_for_the_pair(client: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    page = client.get(f"/book/{screening.id}/pair/times", query_string={
        "massage": clinic.massage.code, "physio": clinic.physio.code, "massage_therapist": "any",
        "physio_therapist": "any"}).get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]*/waitlist[^"]*)">Join the waitlist for the pair', page).group(1))
    form = client.get(link).get_data(as_text=True)
    assert "Right after" in form
    answer = join(client, screening.id, clinic.massage.code, pair_service=clinic.physio.code)
    assert answer.status_code == 303
    (entry,) = db.session.scalars(select(WaitlistEntry))
    assert entry.service_id == clinic.massage.id and entry.pair_service_id == clinic.physio.id
