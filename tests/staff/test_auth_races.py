"""Sign-in steps sent at the same moment: the lock counts every guess, and a one-time code opens one session."""

from __future__ import annotations

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.services.staff_accounts import two_factor
from tests.factories import StaffUserFactory
from tests.staff.auth_steps import audit_actions, enter_code, location, log_in, page, totp_now
from tests.together import at_once

LOCKED = "locked for 15 minutes"
WRONG_CODE = "That code is not right"

pytestmark = pytest.mark.commits  # each sign-in step is a request from a thread of its own


def browsers(app: Flask, count: int) -> list[FlaskClient]:
    """Separate browsers, each with its own cookies."""
    return [app.test_client() for _ in range(count)]


def test_twelve_wrong_passwords_at_once_get_at_most_five_checked_then_the_lock(app: Flask) -> None:
    user = StaffUserFactory()
    email = user.email
    answers = at_once([lambda browser=browser: log_in(browser, email, "wrong password here")
                       for browser in browsers(app, 12)])
    assert [answer.status_code for answer in answers] == [200] * 12
    assert audit_actions(user).count("sign_in_failed") == 5
    assert sum(LOCKED in page(answer) for answer in answers) >= 7
    assert LOCKED in page(log_in(app.test_client(), user.email))  # the right password waits for the lock's end


def signed_in_and_waiting_for_code(app: Flask, email: str, count: int) -> list[FlaskClient]:
    """Browsers that each gave the right password and wait at the second-factor step."""
    waiting = browsers(app, count)
    for browser in waiting:
        assert location(log_in(browser, email)) == "/staff/second-factor"
    return waiting


def one_got_in(answers: list, where: str) -> None:  # type: ignore[type-arg]
    """Exactly one of two answers signed in (to ``where``); the other was told the code is not right."""
    got_in = [answer for answer in answers if answer.status_code == 302]
    refused = [answer for answer in answers if answer.status_code == 200]
    assert [location(answer) for answer in got_in] == [where]
    assert len(refused) == 1 and WRONG_CODE in page(refused[0])


def test_one_totp_code_sent_from_two_sessions_at_once_signs_in_only_one(app: Flask) -> None:
    admin = StaffUserFactory(admin=True)
    waiting = signed_in_and_waiting_for_code(app, admin.email, 2)
    code = totp_now(admin)
    one_got_in(at_once([lambda browser=browser: enter_code(browser, code) for browser in waiting]),
               "/admin/today")
    assert location(waiting[0].get("/staff/account")) != location(waiting[1].get("/staff/account"))


def test_one_recovery_code_sent_from_two_sessions_at_once_signs_in_only_one(app: Flask) -> None:
    user = StaffUserFactory()
    secret = two_factor.new_secret()
    codes = two_factor.confirm_enrolment(user, secret, pyotp.TOTP(secret).now())
    waiting = signed_in_and_waiting_for_code(app, user.email, 2)
    one_got_in(at_once([lambda browser=browser: enter_code(browser, codes[0]) for browser in waiting]),
               "/staff/schedule")
    assert two_factor.recovery_codes_left(user) == len(codes) - 1
