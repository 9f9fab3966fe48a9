"""Screenings in progress live on the server: the cookie holds only a token; drafts expire."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from datetime import timedelta

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from booking import create_app
from booking.extensions import db
from booking.models import Screening, ScreeningDraft
from booking.models.base import utcnow
from booking.routing import RED_FLAG_CODES
from booking.services.screenings import DRAFT_LIFETIME, load_draft, save_draft
from tests.conftest import test_settings

LOST = "Your earlier answers are no longer saved"
HEALTH_WORDS = ("pregnan", "anticoagulant", "blood", "thinner", "chronic_pain", "stress_relief", "concerns",
                "precautions", "red_flags", "chest_pain", "reasons", "health")


def no_red_flags() -> dict[str, str]:
    """Step 2's form with every red flag answered no."""
    return {code: "no" for code in RED_FLAG_CODES}


def midway(client: FlaskClient) -> None:
    """Answer steps 1 to 3, with health conditions a patient would not want anyone to read."""
    for url, data in [("/screening/", {"concerns": ["chronic_pain", "stress_relief"]}),
                      ("/screening/warning-signs", no_red_flags()),
                      ("/screening/health", {"precautions": ["pregnancy", "anticoagulants"]})]:
        assert client.post(url, data=data).status_code == 303


def session_cookie(client: FlaskClient) -> str:
    """The raw value of the client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def payload_text(cookie: str) -> str:
    """The cookie's payload as anyone holding the cookie can read it (no secret key needed)."""
    compressed = cookie.startswith(".")
    data = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def expire_every_draft() -> None:
    """Move every draft's expiry into the past, as two hours without a step would."""
    db.session.execute(db.update(ScreeningDraft).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_the_session_cookie_holds_no_answer_midway(app: Flask, client: FlaskClient) -> None:
    midway(client)
    cookie = session_cookie(client)
    readable = payload_text(cookie).lower()
    assert not any(word in readable for word in HEALTH_WORDS), readable
    session = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    assert list(session) == ["screening_draft"]
    token = session["screening_draft"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    [draft] = db.session.scalars(db.select(ScreeningDraft))
    assert draft.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(draft.progress)
    assert "pregnancy" in json.dumps(draft.progress)
    assert timedelta(hours=1, minutes=59) < draft.expires_at - utcnow() <= DRAFT_LIFETIME


def test_an_expired_draft_sends_the_patient_to_step_one_with_a_plain_message(client: FlaskClient) -> None:
    midway(client)
    expire_every_draft()
    response = client.get("/screening/details")
    assert (response.status_code, response.headers["Location"]) == (303, "/screening/")
    page = client.get("/screening/").get_data(as_text=True)
    assert LOST in page
    assert 'value="chronic_pain" checked' not in page and " checked" not in page
    assert LOST not in client.get("/screening/").get_data(as_text=True)


def test_sending_a_step_after_the_draft_expired_starts_again_without_error(client: FlaskClient) -> None:
    midway(client)
    expire_every_draft()
    response = client.post("/screening/details", data={"pain_level": "4"})
    assert (response.status_code, response.headers["Location"]) == (303, "/screening/")
    assert LOST in client.get("/screening/").get_data(as_text=True)
    assert client.post("/screening/", data={"concerns": ["relaxation"]}).status_code == 303
    [draft] = db.session.scalars(db.select(ScreeningDraft))
    assert draft.expires_at > utcnow()
    assert db.session.scalars(db.select(Screening)).first() is None


def test_a_lost_draft_is_like_an_expired_one(client: FlaskClient) -> None:
    midway(client)
    db.session.execute(db.delete(ScreeningDraft))
    db.session.commit()
    response = client.post("/screening/health", data={"precautions": ["pregnancy"]})
    assert (response.status_code, response.headers["Location"]) == (303, "/screening/")
    assert LOST in client.get("/screening/").get_data(as_text=True)


def test_every_step_keeps_the_draft_alive_and_expired_drafts_are_purged(app: Flask) -> None:
    now = utcnow()
    stale = save_draft(None, {"data": {"reasons": {"concerns": ["relaxation"]}}}, now=now)
    assert load_draft(stale, now=now + DRAFT_LIFETIME - timedelta(seconds=1)) is not None
    kept = save_draft(stale, {"data": {}}, now=now + timedelta(hours=1))
    assert kept == stale
    assert load_draft(stale, now=now + timedelta(hours=2, minutes=30)) == {"data": {}}
    assert load_draft(stale, now=now + timedelta(hours=3, seconds=1)) is None
    fresh = save_draft(stale, {"data": {}}, now=now + timedelta(hours=4))
    assert fresh != stale
    assert len(list(db.session.scalars(db.select(ScreeningDraft)))) == 1
    assert load_draft("not-a-token") is None


@pytest.mark.commits  # the limited app's rows
def test_starting_screenings_on_the_web_is_rate_limited(app: Flask) -> None:
    limited = create_app(test_settings(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True,
                                       RATELIMIT_SCREENING="2 per hour"))
    client = limited.test_client()
    statuses = [client.post("/screening/", data={"concerns": ["relaxation"]}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    response = client.post("/screening/", data={"concerns": ["relaxation"]})
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "Too many requests" in response.get_data(as_text=True)
    assert client.get("/screening/").status_code == 200
