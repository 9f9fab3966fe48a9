"""What the sign-in tests share: signing in through the real forms, reading pages, the audit trail."""

from __future__ import annotations

import re

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from booking.extensions import db
from booking.models import AuditEvent, StaffUser
from tests.factories import STAFF_PASSWORD

NEW_PASSWORD = "plum kettle orbit meadow"


def log_in(client: FlaskClient, email: str, password: str = STAFF_PASSWORD, **extra: str) -> TestResponse:
    """Post the login form."""
    return client.post("/staff/login", data={"email": email, "password": password, **extra})


def enter_code(client: FlaskClient, code: str) -> TestResponse:
    """Post the second-factor form."""
    return client.post("/staff/second-factor", data={"code": code})


def totp_now(user: StaffUser) -> str:
    """The user's current TOTP code."""
    return pyotp.TOTP(user.totp_secret or "").now()


def page(response: TestResponse) -> str:
    """The response's text."""
    return response.get_data(as_text=True)


def location(response: TestResponse) -> str:
    """Where a redirect goes (path and query)."""
    return response.headers.get("Location", "")


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def audit_actions(user: StaffUser | None = None) -> list[str]:
    """The audit log's actions (about this user, when given), oldest first."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if user is not None:
        query = query.where(AuditEvent.subject_type == "staff_user", AuditEvent.subject_id == str(user.id))
    return [event.action for event in db.session.scalars(query)]


def audit_details() -> list[str]:
    """Every audit detail written."""
    return [event.detail or "" for event in db.session.scalars(select(AuditEvent))]


def session_cookie(client: FlaskClient) -> str:
    """The value of the client's session cookie (to replay it elsewhere)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(client: FlaskClient, cookie: str, path: str = "/staff/account") -> TestResponse:
    """Open a page with a copied session cookie, from another browser."""
    client.set_cookie("session", cookie, domain="localhost")
    return client.get(path)
