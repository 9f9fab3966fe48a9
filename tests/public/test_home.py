"""The home page and its contact form."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking import create_app
from booking.extensions import db
from booking.models import ClinicSettings, ContactMessage
from tests.conftest import test_settings

GOOD_MESSAGE = {"name": "Avery Singh", "email": "Avery@Example.com", "phone": "403 555 0199",
                "message": "Do you direct-bill Alberta Blue Cross?"}


def test_home_page_shows_the_clinic(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Bow River Physiotherapy &amp; Massage" in page
    assert "Give us a call" in page
    assert 'href="tel:+14035550142"' in page
    assert 'href="/screening/"' in page and "Book an appointment" in page
    assert "Send us a message" in page
    for day, hours in [("Monday", "7:00 a.m. – 8:00 p.m."), ("Saturday", "9:00 a.m. – 3:00 p.m."),
                       ("Sunday", "Closed")]:
        assert re.search(rf"<th scope=\"row\">{day}</th><td>{hours}</td>", page)


def test_clinic_details_come_from_the_configuration_until_settings_are_saved(database: str) -> None:
    app = create_app(test_settings(database, CLINIC_NAME="Prairie Physio", CLINIC_PHONE="+1 780-555-0100"),
                     environ={})
    page = app.test_client().get("/").get_data(as_text=True)
    assert "Prairie Physio" in page and 'href="tel:+17805550100"' in page


def test_each_app_shows_the_clinic_of_its_own_configuration(database: str, client: FlaskClient) -> None:
    other = create_app(test_settings(database, CLINIC_NAME="Prairie Physio"), environ={})
    assert "Prairie Physio" in other.test_client().get("/").get_data(as_text=True)
    assert "Prairie Physio" not in client.get("/").get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()


def test_the_opening_hours_shown_are_the_clinic_settings(client: FlaskClient) -> None:
    hours = [["08:00", "16:30"]] * 5 + [None, None]
    db.session.add(ClinicSettings(name="Prairie Physio", phone="+1 780-555-0100", address="1 Main St",
                                  opening_hours=hours, cancel_cutoff_hours=24, min_notice_minutes=120,
                                  reminder_offsets_minutes=[1440]))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Prairie Physio" in page and 'href="tel:+17805550100"' in page
    assert '<th scope="row">Monday</th><td>8:00 a.m. – 4:30 p.m.</td>' in page
    assert '<th scope="row">Saturday</th><td>Closed</td>' in page


def test_every_input_has_a_label(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    ids = re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page)
    assert ids
    for field_id in ids:
        assert f'for="{field_id}"' in page, field_id


def test_contact_message_is_stored_and_confirmed(client: FlaskClient) -> None:
    response = client.post("/", data=GOOD_MESSAGE, follow_redirects=True)
    assert "Thank you, your message was sent" in response.get_data(as_text=True)
    stored = db.session.scalars(db.select(ContactMessage)).one()
    assert (stored.name, stored.email, stored.phone) == ("Avery Singh", "avery@example.com", "+14035550199")


@pytest.mark.parametrize(("field", "value", "error"), [
    ("name", "", "Enter your name."),
    ("email", "avery@", "Enter the part after the @, like name@example.com."),
    ("phone", "12", "phone number"),
    ("message", "Hi", "Write between 10 and 2,000 characters."),
])
def test_contact_errors_are_shown_next_to_the_field_and_input_is_kept(
        client: FlaskClient, field: str, value: str, error: str) -> None:
    response = client.post("/", data={**GOOD_MESSAGE, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#{field}"' in page
    assert re.search(rf'id="{field}-error">.*{re.escape(error)}', page)
    for other, typed in GOOD_MESSAGE.items():
        if other != field:
            assert typed in page
    assert db.session.scalars(db.select(ContactMessage)).first() is None


@pytest.mark.commits  # the limited app's rows
def test_contact_form_is_rate_limited(database: str, app: Flask) -> None:
    limited = create_app(test_settings(database, RATELIMIT_ENABLED=True, RATELIMIT_CONTACT="2 per hour"),
                         environ={})
    client = limited.test_client()
    statuses = [client.post("/", data=GOOD_MESSAGE).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert "Too many requests" in client.post("/", data=GOOD_MESSAGE).get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_every_form_requires_a_csrf_token(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    # Not the API (JSON), nor the one-click stop of reminders, which a mail client POSTs with no form (RFC 8058):
    # its link's token is the key (tests/notifications/test_stop_reminders.py).
    posts = [rule for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "public.stop_reminders"]
    assert posts
    for rule in posts:
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "x").replace(f"<string:{argument}>", "x").replace(f"<int:{argument}>", "1")
        url = re.sub(r"<[^>]+>", "00000000-0000-0000-0000-000000000000", url)
        response = client.post(url, data=GOOD_MESSAGE)
        assert response.status_code == 400, rule.rule
        assert "This form has expired" in response.get_data(as_text=True)


def test_fields_with_errors_are_marked_invalid_and_described(client: FlaskClient) -> None:
    page = client.post("/", data={**GOOD_MESSAGE, "email": "nope"}).get_data(as_text=True)
    email = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)  # type: ignore[union-attr]
    assert 'aria-invalid="true"' in email and 'aria-describedby="email-error"' in email
    phone = re.search(r'<input[^>]*id="phone"[^>]*>', page).group(0)  # type: ignore[union-attr]
    assert "aria-invalid" not in phone and 'aria-describedby="phone-hint"' in phone


def test_the_phone_link_dials_canada_however_the_number_was_typed(client: FlaskClient) -> None:
    db.session.add(ClinicSettings(name="Prairie Physio", phone="403-555-0142", address="1 Main St",
                                  opening_hours=[None] * 7, cancel_cutoff_hours=24, min_notice_minutes=120,
                                  reminder_offsets_minutes=[1440]))
    db.session.commit()
    assert 'href="tel:+14035550142"' in client.get("/").get_data(as_text=True)
