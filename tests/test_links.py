"""Absolute links come from PUBLIC_BASE_URL, never from the Host a request names."""

from __future__ import annotations

import icalendar
import pytest
from flask import Flask

from booking import create_app
from booking.clinic.links import absolute_url
from booking.services.visits import derive_manage_token
from tests.conftest import test_settings
from tests.factories import AppointmentFactory

PUBLIC = "https://book.bowriver.example"
FORGED = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}


@pytest.fixture
def public_app(app: Flask) -> Flask:
    """The test app with a public base URL unlike the test client's host."""
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    return app


def test_a_forged_host_does_not_change_the_links_of_the_confirmation_and_the_ics(public_app: Flask) -> None:
    visit = AppointmentFactory()
    token = derive_manage_token(visit.id)
    client = public_app.test_client()
    page = client.get(f"/book/confirmed/{token}", headers=FORGED).get_data(as_text=True)
    ics = client.get(f"/book/manage/{token}/calendar.ics", headers=FORGED)
    (event,) = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    link = f"{PUBLIC}/book/manage/{token}"
    assert f'href="{link}"' in page
    assert link in str(event["description"]) and str(event["url"]) == link
    assert "attacker.example" not in page and "attacker.example" not in ics.get_data(as_text=True)


def test_absolute_links_work_outside_a_request_and_keep_a_path_prefix(database: str) -> None:
    app = create_app(test_settings(database, PUBLIC_BASE_URL="https://clinic.example/booking/"), environ={})
    with app.app_context():
        assert absolute_url("appointments.manage", token="abc") == "https://clinic.example/booking/book/manage/abc"
        assert absolute_url("public.home") == "https://clinic.example/booking/"
