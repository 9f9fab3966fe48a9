"""Passwords: the policy, changing one's password, and the emailed one-time reset through a real mail server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, text

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Notification, NotificationStatus, PasswordReset
from booking.notifications import delivery
from booking.services.staff_accounts.passwords import password_problem
from tests.factories import STAFF_PASSWORD, StaffUserFactory
from tests.smtp import SmtpServer
from tests.staff.auth_steps import NEW_PASSWORD, audit_actions, location, log_in, page, replay, session_cookie
from tests.staff_fixtures import WEDNESDAY_MORNING

NOW = WEDNESDAY_MORNING
SAME_ANSWER = "If a staff login has that email address, we have sent it a link"


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server the app sends to."""
    with SmtpServer() as server:
        app.config.update(server.settings())
        yield server


def deliver_due() -> list[str]:
    """Deliver every due notification, as the worker would; the outcomes."""
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).order_by(Notification.id))
    return [delivery.deliver(row.id) for row in rows if delivery.claimable(row, moment())]


def reset_link(smtp: SmtpServer, email: str) -> str:
    """The path of the reset link in the last email to this address."""
    mail = smtp.sink.to(email)[-1]
    found = re.search(r"http://localhost(/staff/reset-password/\S+)", mail.get_body(("plain",)).get_content())
    assert found, "the email has no reset link"
    return found.group(1)


def test_the_policy_wants_12_characters_and_no_common_password() -> None:
    assert "at least 12 characters" in password_problem("short pass")
    assert "too common" in password_problem("1qaz2wsx3edc")
    assert "too common" in password_problem("LeaveMeAlone")  # whatever the case
    assert password_problem(STAFF_PASSWORD) is None and password_problem(NEW_PASSWORD) is None


@pytest.mark.parametrize("padded", ["password1234", "Password!!!!", "qwerty123456!", "iloveyou2026", "Sunshine1234$",
                                    "aaaaaaaaaaaab", "abcabcabcabc", "01/02/1990abc"])
def test_a_common_password_padded_with_digits_symbols_or_repeats_is_refused(padded: str) -> None:
    assert "too common or too easy to guess" in password_problem(padded)


def test_a_password_made_of_the_accounts_own_email_is_refused() -> None:
    assert password_problem("priyaraman2026!") is None
    assert "too easy to guess" in password_problem("priyaraman2026!", about=["priya.raman@clinic.example"])


def test_a_password_change_asks_for_the_current_one_and_ends_every_other_session(
        app: Flask, client: FlaskClient) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    elsewhere = app.test_client()
    log_in(elsewhere, user.email)
    other_cookie = session_cookie(elsewhere)
    wrong = client.post("/staff/account/password", data={"current_password": "not my password",
                                                         "new_password": NEW_PASSWORD,
                                                         "confirm_password": NEW_PASSWORD})
    assert "That is not your current password." in page(wrong)
    weak = client.post("/staff/account/password", data={"current_password": STAFF_PASSWORD,
                                                        "new_password": "password", "confirm_password": "password"})
    assert "at least 12 characters" in page(weak)
    differ = client.post("/staff/account/password", data={"current_password": STAFF_PASSWORD,
                                                          "new_password": NEW_PASSWORD,
                                                          "confirm_password": NEW_PASSWORD + "x"})
    assert "The two new passwords are not the same." in page(differ)
    changed = client.post("/staff/account/password", data={"current_password": STAFF_PASSWORD,
                                                           "new_password": NEW_PASSWORD,
                                                           "confirm_password": NEW_PASSWORD})
    assert location(changed) == "/staff/account"
    assert "You were signed out everywhere else" in page(client.get("/staff/account"))
    assert location(replay(app.test_client(), other_cookie)).startswith("/staff/login")
    assert "password_changed" in audit_actions(user)
    client.post("/staff/logout")
    assert log_in(client, user.email).status_code == 200  # the old password no longer works
    assert location(log_in(client, user.email, NEW_PASSWORD)) == "/staff/schedule"


def test_forgot_password_answers_the_same_for_every_address(client: FlaskClient, smtp: SmtpServer) -> None:
    user = StaffUserFactory()
    known = client.post("/staff/forgot-password", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/staff/forgot-password", data={"email": "nobody@clinic.example"}, follow_redirects=True)
    assert SAME_ANSWER in page(known) and page(known) == page(unknown)
    assert deliver_due() == ["sent", "skipped"]
    assert [mail["To"] for mail in smtp.sink.messages] == [user.email]


def test_a_reset_asked_for_an_address_no_login_has_does_not_keep_what_was_typed(
        client: FlaskClient, smtp: SmtpServer) -> None:
    user = StaffUserFactory()
    client.post("/staff/forgot-password", data={"email": user.email})
    client.post("/staff/forgot-password", data={"email": "someone.else@elsewhere.example"})
    assert deliver_due() == ["sent", "skipped"]
    rows = db.session.execute(select(Notification.status, Notification.recipient).order_by(Notification.id))
    assert [tuple(row) for row in rows] == [(NotificationStatus.SENT, user.email), (NotificationStatus.SKIPPED, None)]
    stored = " ".join(str(value) for row in db.session.execute(text("SELECT * FROM notifications")) for value in row)
    assert "someone.else" not in stored


def test_the_reset_email_arrives_with_a_working_one_time_link_and_no_token_is_stored(
        app: Flask, client: FlaskClient, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    log_in(client, user.email)
    signed_in_cookie = session_cookie(client)
    client.post("/staff/forgot-password", data={"email": user.email.upper()})
    assert deliver_due() == ["sent"]
    [mail] = smtp.sink.to(user.email)
    assert mail["Subject"].startswith("Reset your staff password")
    link = reset_link(smtp, user.email)
    token = link.rsplit("/", 1)[1]
    stored = " ".join(str(value) for table in ("password_resets", "notifications", "audit_events")
                      for row in db.session.execute(text(f"SELECT * FROM {table}")) for value in row)
    assert token not in stored and token.split(".")[1] not in stored
    browser = app.test_client()
    assert "Choose a new password" in page(browser.get(link))
    weak = browser.post(link, data={"new_password": "1qaz2wsx3edc", "confirm_password": "1qaz2wsx3edc"})
    assert "too common" in page(weak)
    done = browser.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert location(done) == "/staff/login"
    assert location(replay(app.test_client(), signed_in_cookie)).startswith("/staff/login")
    again = browser.get(link)
    assert again.status_code == 410 and "already been used" in page(again)
    assert location(log_in(browser, user.email, NEW_PASSWORD)) == "/staff/schedule"
    assert "password_reset" in audit_actions(user)


def test_a_reset_link_expires_after_30_minutes(app: Flask, client: FlaskClient, smtp: SmtpServer,
                                               clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    client.post("/staff/forgot-password", data={"email": user.email})
    deliver_due()
    link = reset_link(smtp, user.email)
    clock.shift(timedelta(minutes=29))
    assert client.get(link).status_code == 200
    clock.shift(timedelta(minutes=2))
    expired = client.get(link)
    assert expired.status_code == 410 and "has expired" in page(expired)
    posted = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert posted.status_code == 410
    assert location(log_in(client, user.email)) == "/staff/schedule"  # the password did not change


def test_a_reset_email_not_sent_before_its_link_expired_is_skipped(client: FlaskClient, smtp: SmtpServer,
                                                                   clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    client.post("/staff/forgot-password", data={"email": user.email})
    clock.shift(timedelta(minutes=31))
    deliver_due()
    assert smtp.sink.to(user.email) == []
    assert db.session.scalar(select(Notification.status)) == NotificationStatus.SKIPPED
    assert db.session.scalar(select(PasswordReset)) is None  # nor does it count towards the hour's limit


@pytest.mark.parametrize("token", ["nonsense", "0" * 32 + ".abc", "x" * 2000])
def test_a_made_up_reset_link_is_refused_clearly(client: FlaskClient, token: str) -> None:
    answer = client.get(f"/staff/reset-password/{token}")
    assert answer.status_code == 410 and "not valid" in page(answer)


def test_a_forged_token_for_a_real_reset_is_refused(client: FlaskClient, smtp: SmtpServer) -> None:
    user = StaffUserFactory()
    client.post("/staff/forgot-password", data={"email": user.email})
    deliver_due()
    reset = db.session.scalar(select(PasswordReset))
    answer = client.get(f"/staff/reset-password/{reset.id.hex}.forged")
    assert answer.status_code == 410 and "not valid" in page(answer)


def statements_of_asking(client: FlaskClient, email: str) -> list[str]:
    """The SQL statements run while answering "forgot password" for this address."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(re.sub(r"sa_savepoint_\d+", "sa_savepoint", statement))  # numbered as they are taken

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        answer = client.post("/staff/forgot-password", data={"email": email})
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert location(answer) == "/staff/forgot-password"
    return seen


def test_forgot_password_does_the_same_work_for_a_login_and_an_unknown_address(client: FlaskClient) -> None:
    user = StaffUserFactory()
    db.session.commit()
    known = statements_of_asking(client, user.email)
    assert known == statements_of_asking(client, "nobody@clinic.example")
    assert not any("staff_users" in statement or "password_resets" in statement for statement in known)


def test_a_login_gets_at_most_3_reset_emails_an_hour_and_further_asks_are_answered_the_same(
        client: FlaskClient, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    for _ in range(5):
        answer = client.post("/staff/forgot-password", data={"email": user.email}, follow_redirects=True)
        assert SAME_ANSWER in page(answer)
    assert deliver_due() == ["sent"] * 3 + ["skipped"] * 2
    clock.shift(timedelta(minutes=59))
    client.post("/staff/forgot-password", data={"email": user.email})
    assert deliver_due() == ["skipped"]
    clock.shift(timedelta(minutes=2))
    client.post("/staff/forgot-password", data={"email": user.email})
    assert deliver_due() == ["sent"]
    assert len(smtp.sink.to(user.email)) == 4


def test_a_deactivated_login_is_answered_as_an_unknown_address_and_its_earlier_link_stops_working(
        app: Flask, client: FlaskClient, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    user = StaffUserFactory()
    client.post("/staff/forgot-password", data={"email": user.email})
    assert deliver_due() == ["sent"]
    link = reset_link(smtp, user.email)
    assert app.test_cli_runner().invoke(args=["deactivate-staff", "--email", user.email]).exit_code == 0
    refused = client.get(link)
    assert refused.status_code == 410 and "not valid" in page(refused)
    known = client.post("/staff/forgot-password", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/staff/forgot-password", data={"email": "nobody@clinic.example"}, follow_redirects=True)
    assert SAME_ANSWER in page(known) and page(known) == page(unknown)
    assert deliver_due() == ["skipped", "skipped"]
    assert len(smtp.sink.to(user.email)) == 1
