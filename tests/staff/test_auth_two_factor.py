"""Two-factor sign-in: the code after the password (once each), recovery codes, enrolment with a QR code, removal."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import RecoveryCode, StaffSession, StaffUser
from tests.factories import STAFF_PASSWORD, StaffUserFactory
from tests.staff.auth_steps import audit_actions, enter_code, location, log_in, page, totp_now
from tests.staff_fixtures import WEDNESDAY_MORNING

NOW = WEDNESDAY_MORNING
WRONG_CODE = "That code is not right"


def enrol(client: FlaskClient) -> tuple[str, list[str], str]:
    """Enrol TOTP through the pages (signed in already); the secret, the recovery codes shown and their page."""
    form = page(client.get("/staff/two-factor"))
    secret = re.search(r'id="secret-key">([A-Z2-7]+)<', form).group(1)
    shown = page(client.post("/staff/two-factor", data={"code": pyotp.TOTP(secret).now()}))
    return secret, re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown), shown


def test_an_admin_gives_the_code_after_the_password_before_any_page(app: Flask, client: FlaskClient,
                                                                    clock: time_machine.Coordinates) -> None:
    admin = StaffUserFactory(admin=True)
    answer = log_in(client, admin.email, next="/staff/account")
    assert location(answer) == "/staff/second-factor"
    assert location(client.get("/staff/account")) == "/staff/second-factor"
    wrong = enter_code(client, "000000" if totp_now(admin) != "000000" else "111111")
    assert WRONG_CODE in page(wrong)
    assert location(enter_code(client, totp_now(admin))) == "/staff/account"
    assert client.get("/staff/account").status_code == 200
    assert audit_actions(admin) == ["password_accepted", "sign_in_failed", "signed_in"]


@pytest.mark.parametrize("code", ["\u202eevil1", "１２３４５６", "12345\x00"])
def test_a_code_of_strange_characters_is_just_wrong(app: Flask, client: FlaskClient, clock: time_machine.Coordinates,
                                                   code: str) -> None:
    admin = StaffUserFactory(admin=True)
    log_in(client, admin.email)
    answer = enter_code(client, code)
    assert answer.status_code < 500


def test_a_code_works_only_once(app: Flask, client: FlaskClient, clock: time_machine.Coordinates) -> None:
    admin = StaffUserFactory(admin=True)
    code = totp_now(admin)
    log_in(client, admin.email)
    assert enter_code(client, code).status_code == 302
    other = app.test_client()
    log_in(other, admin.email)
    assert WRONG_CODE in page(enter_code(other, code))
    clock.shift(timedelta(seconds=30))
    assert enter_code(other, totp_now(admin)).status_code == 302


def test_the_code_of_the_step_before_or_after_is_accepted_but_not_two_steps_away(
        client: FlaskClient, clock: time_machine.Coordinates) -> None:
    admin = StaffUserFactory(admin=True)
    totp = pyotp.TOTP(admin.totp_secret)
    log_in(client, admin.email)
    assert WRONG_CODE in page(enter_code(client, totp.at(NOW - timedelta(seconds=60))))
    assert enter_code(client, totp.at(NOW - timedelta(seconds=30))).status_code == 302


def test_wrong_codes_count_towards_the_lock_and_sign_the_session_out(client: FlaskClient,
                                                                     clock: time_machine.Coordinates) -> None:
    admin = StaffUserFactory(admin=True)
    log_in(client, admin.email, "wrong password here")
    log_in(client, admin.email)
    for _ in range(3):
        assert WRONG_CODE in page(enter_code(client, "12345x"))
    locked = enter_code(client, "12345x")
    assert location(locked) == "/staff/login"
    assert "locked for 15 minutes" in page(client.get("/staff/login"))
    assert location(client.get("/staff/account")).startswith("/staff/login")
    assert "locked for 15 minutes" in page(log_in(client, admin.email))
    clock.shift(timedelta(minutes=16))
    log_in(client, admin.email)
    assert enter_code(client, totp_now(admin)).status_code == 302


def test_a_therapist_enrols_with_the_qr_code_and_gets_ten_recovery_codes(client: FlaskClient,
                                                                         clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    form = client.get("/staff/two-factor")
    html = page(form)
    assert '<img class="qr-code" src="data:image/svg+xml' in html and "<script>" not in html.split("</head>")[1]
    assert "img-src 'self' data:" in form.headers["Content-Security-Policy"]
    assert WRONG_CODE in page(client.post("/staff/two-factor", data={"code": "000000"}))
    secret, codes, _shown = enrol(client)
    assert len(codes) == len(set(codes)) == 10
    db.session.expire_all()
    assert user.totp_secret == secret
    stored = [row.code_hash for row in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id))]
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert db.session.scalar(select(StaffSession.pending_totp_secret)) is None
    assert "totp_enrolled" in audit_actions(user)
    assert "10 unused recovery codes" in page(client.get("/staff/account"))
    assert location(client.get("/staff/two-factor")) == "/staff/account"  # shown once: not again


def test_the_secret_stays_the_same_while_enrolling(client: FlaskClient) -> None:
    log_in(client, StaffUserFactory().email)
    first = re.search(r'id="secret-key">([A-Z2-7]+)<', page(client.get("/staff/two-factor"))).group(1)
    again = re.search(r'id="secret-key">([A-Z2-7]+)<', page(client.get("/staff/two-factor"))).group(1)
    assert first == again


def test_a_recovery_code_signs_in_once(app: Flask, client: FlaskClient, clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    _secret, codes, _shown = enrol(client)
    client.post("/staff/logout")
    log_in(client, user.email)
    assert location(enter_code(client, codes[0].upper().replace("-", " "))) == "/staff/schedule"
    client.post("/staff/logout")
    log_in(client, user.email)
    assert WRONG_CODE in page(enter_code(client, codes[0]))
    assert enter_code(client, codes[1]).status_code == 302
    assert "8 unused recovery codes" in page(client.get("/staff/account"))


def test_a_therapist_turns_two_factor_off_with_their_password(client: FlaskClient,
                                                              clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    enrol(client)
    wrong = client.post("/staff/account/two-factor/remove", data={"password": "not my password"})
    assert "That is not your current password." in page(wrong)
    removed = client.post("/staff/account/two-factor/remove", data={"password": STAFF_PASSWORD})
    assert location(removed) == "/staff/account"
    db.session.expire_all()
    assert user.totp_secret is None
    assert db.session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id)) is None
    assert "totp_removed" in audit_actions(user)
    client.post("/staff/logout")
    assert location(log_in(client, user.email)) == "/staff/schedule"


def test_an_admin_cannot_turn_two_factor_off(client: FlaskClient, clock: time_machine.Coordinates) -> None:
    admin = StaffUserFactory(admin=True)
    log_in(client, admin.email)
    enter_code(client, totp_now(admin))
    assert "Turn off two-factor" not in page(client.get("/staff/account"))
    assert client.post("/staff/account/two-factor/remove", data={"password": STAFF_PASSWORD}).status_code == 404
    db.session.expire_all()
    assert db.session.get(StaffUser, admin.id).totp_secret


def test_an_admin_enrols_at_first_sign_in_and_then_goes_home(app: Flask, client: FlaskClient,
                                                            clock: time_machine.Coordinates) -> None:
    admin = StaffUserFactory(admin=True, totp_secret=None)
    log_in(client, admin.email, next="/staff/account")
    _secret, codes, shown = enrol(client)
    assert len(codes) == 10 and 'href="/staff/account"' in shown
    assert client.get("/staff/account").status_code == 200
    client.post("/staff/logout")
    assert location(log_in(client, admin.email)) == "/staff/second-factor"
