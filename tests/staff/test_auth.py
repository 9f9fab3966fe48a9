"""Staff sign-in through the real pages: CSRF, the generic error, the lock, sessions, logout and their limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.services.staff_accounts.accounts import NO_MATCH
from booking.staff.access import SESSION_KEY
from tests.conftest import make_app
from tests.factories import STAFF_PASSWORD, StaffUserFactory
from tests.staff.auth_steps import (
    audit_actions,
    audit_details,
    csrf_token,
    location,
    log_in,
    page,
    replay,
    session_cookie,
)
from tests.staff_fixtures import WEDNESDAY_MORNING

NOW = WEDNESDAY_MORNING
LOCKED = "locked for 15 minutes"


def test_the_login_form_needs_its_csrf_token_and_signs_a_therapist_in(app: Flask, client: FlaskClient) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    user = StaffUserFactory()
    form = client.get("/staff/login")
    assert form.status_code == 200 and 'autocomplete="current-password"' in page(form)
    forged = client.post("/staff/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert forged.status_code == 400 and "This form has expired" in page(forged)
    assert client.get("/staff/account").status_code == 302
    signed = client.post("/staff/login", data={"email": user.email, "password": STAFF_PASSWORD,
                                               "csrf_token": csrf_token(page(form))})
    assert signed.status_code == 302 and location(signed) == "/staff/schedule"
    assert client.get("/staff/account").status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client: FlaskClient) -> None:
    user = StaffUserFactory()
    wrong = log_in(client, user.email, "not the password at all")
    unknown = log_in(client, "nobody@clinic.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert NO_MATCH in page(wrong) and NO_MATCH in page(unknown)
    assert page(wrong).replace(user.email, "EMAIL") == page(unknown).replace("nobody@clinic.example", "EMAIL")
    assert f'value="{user.email}"' in page(wrong)  # what was typed is kept
    assert client.get("/staff/account").status_code == 302


def test_a_deactivated_account_cannot_sign_in_and_is_told_nothing_more(client: FlaskClient) -> None:
    user = StaffUserFactory(active=False)
    answer = log_in(client, user.email)
    assert NO_MATCH in page(answer)
    assert client.get("/staff/account").status_code == 302


def test_five_failures_lock_the_email_for_15_minutes_then_it_opens_again(
        client: FlaskClient, clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    for _ in range(4):
        assert LOCKED not in page(log_in(client, user.email, "wrong password here"))
    fifth = log_in(client, user.email, "wrong password here")
    assert LOCKED in page(fifth)
    clock.shift(timedelta(minutes=14))
    right = log_in(client, user.email)
    assert right.status_code == 200 and LOCKED in page(right)
    assert client.get("/staff/account").status_code == 302
    clock.shift(timedelta(minutes=2))
    assert log_in(client, user.email).status_code == 302
    assert client.get("/staff/account").status_code == 200


def test_an_email_without_an_account_is_locked_the_same_way(client: FlaskClient) -> None:
    answers = [page(log_in(client, "  Nobody@Clinic.example ", "wrong password here")) for _ in range(5)]
    assert LOCKED not in answers[3] and LOCKED in answers[4]
    assert LOCKED in page(log_in(client, "nobody@clinic.example", "anything at all"))


def test_a_complete_sign_in_forgets_earlier_failures(client: FlaskClient) -> None:
    user = StaffUserFactory()
    for _ in range(4):
        log_in(client, user.email, "wrong password here")
    log_in(client, user.email)
    client.post("/staff/logout")
    for _ in range(4):
        assert LOCKED not in page(log_in(client, user.email, "wrong password here"))


def test_one_address_is_limited_whatever_the_email(database: str, app: Flask) -> None:
    limited = make_app(database, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    with limited.app_context():
        browser = limited.test_client()
        answers = [log_in(browser, f"person{n}@clinic.example", "wrong password here").status_code
                   for n in range(4)]
        assert answers == [200, 200, 200, 429]
        assert browser.get("/staff/login").status_code == 200  # reading the form is not limited
        db.session.remove()
        db.engine.dispose()


def test_signing_in_starts_a_fresh_session(client: FlaskClient) -> None:
    user = StaffUserFactory()
    with client.session_transaction() as cookie:
        cookie[SESSION_KEY] = "planted-by-someone-else"
        cookie["leftover"] = "from before"
    log_in(client, user.email)
    with client.session_transaction() as cookie:
        assert cookie[SESSION_KEY] != "planted-by-someone-else"
        assert "leftover" not in cookie


@pytest.mark.parametrize(("target", "expected"), [("/staff/account", "/staff/account"),
                                                  ("https://evil.example/staff", "/staff/schedule"),
                                                  ("//evil.example", "/staff/schedule")])
def test_sign_in_returns_to_the_page_asked_for_on_this_site_only(client: FlaskClient, target: str,
                                                                 expected: str) -> None:
    user = StaffUserFactory()
    assert location(log_in(client, user.email, next=target)) == expected


def test_the_login_page_carries_the_page_asked_for(client: FlaskClient) -> None:
    asked = client.get("/staff/account")
    assert location(asked).startswith("/staff/login?next=")
    assert 'value="/staff/account"' in page(client.get(location(asked)))


def test_logout_ends_the_session_so_a_copied_cookie_opens_nothing(app: Flask, client: FlaskClient) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    copied = session_cookie(client)
    assert replay(app.test_client(), copied).status_code == 200
    signed_out = client.post("/staff/logout")
    assert location(signed_out) == "/staff/login"
    assert "You are signed out" in page(client.get("/staff/login"))
    again = replay(app.test_client(), copied)
    assert again.status_code == 302 and location(again).startswith("/staff/login")


def test_logout_asks_for_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/account").status_code == 200


def test_30_idle_minutes_end_the_session(client: FlaskClient, clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    clock.shift(timedelta(minutes=29))
    assert client.get("/staff/account").status_code == 200
    clock.shift(timedelta(minutes=29))  # 58 minutes in, but active 29 minutes ago
    assert client.get("/staff/account").status_code == 200
    clock.shift(timedelta(minutes=31))
    idle = client.get("/staff/account")
    assert idle.status_code == 302 and location(idle).startswith("/staff/login")
    clock.shift(timedelta(minutes=-31))  # the ended session does not come back
    assert client.get("/staff/account").status_code == 302


def test_a_session_ends_12_hours_after_sign_in_however_active(client: FlaskClient,
                                                              clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    for _ in range(12 * 3 - 1):
        clock.shift(timedelta(minutes=20))
        assert client.get("/staff/account").status_code == 200
    clock.shift(timedelta(minutes=21))
    assert location(client.get("/staff/account")).startswith("/staff/login")


def test_an_admin_without_totp_must_enrol_before_anything_else(client: FlaskClient) -> None:
    admin = StaffUserFactory(admin=True, totp_secret=None)
    answer = log_in(client, admin.email, next="/staff/account")
    assert location(answer) == "/staff/two-factor"
    assert location(client.get("/staff/account")) == "/staff/two-factor"
    assert "Set up two-factor sign-in" in page(client.get("/staff/two-factor"))


def test_sign_in_sign_out_and_failures_are_audited_without_the_password(client: FlaskClient) -> None:
    user = StaffUserFactory()
    log_in(client, user.email, "my secret guess 1234")
    log_in(client, "nobody@clinic.example", "another secret guess")
    log_in(client, user.email)
    client.post("/staff/logout")
    assert audit_actions(user) == ["sign_in_failed", "password_accepted", "signed_in", "signed_out"]
    assert audit_actions().count("sign_in_failed") == 2
    details = " ".join(audit_details())
    assert "127.0.0.1" in details
    assert "guess" not in details and STAFF_PASSWORD not in details and "nobody" not in details
