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
