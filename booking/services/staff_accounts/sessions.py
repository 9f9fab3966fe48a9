"""Staff sessions, kept on the server: started at sign-in, ended by logout, idleness, age or a new password.

The browser holds only a random token (in the signed session cookie); the
``staff_sessions`` row holds its SHA-256. A session ends for good when the
staff member signs out, after STAFF_IDLE_MINUTES without a request, after
STAFF_SESSION_HOURS in all, or when the password changes, so a copied cookie
stops working at the same moment as the original.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import StaffSession, StaffUser

# last_seen_at is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    """What is stored of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: StaffUser, *, verified: bool, now: datetime | None = None) -> str:
    """A new session for the user (``verified`` when no second factor is pending); its token."""
    when = moment(now)
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=_hash(token), user_id=user.id, created_at=when, last_seen_at=when,
                                verified_at=when if verified else None))
    db.session.commit()
    return token


def expired(session: StaffSession, now: datetime) -> bool:
    """Whether the session has ended, or has been idle or alive too long."""
    config = current_app.config
    return (session.ended_at is not None
            or now - session.last_seen_at > timedelta(minutes=config["STAFF_IDLE_MINUTES"])
            or now - session.created_at > timedelta(hours=config["STAFF_SESSION_HOURS"]))


def session_for(token: str | None, *, now: datetime | None = None) -> StaffSession | None:
    """The live session this token opens (its use noted), or None; an expired one is ended."""
    if not token:
        return None
    when = moment(now)
    found = db.session.scalar(select(StaffSession).where(StaffSession.token_hash == _hash(token)))
    if found is None or not found.user.active:
        return None
    if expired(found, when):
        if found.ended_at is None:
            found.ended_at = when
            db.session.commit()
        return None
    if when - found.last_seen_at >= TOUCH_EVERY:
        found.last_seen_at = when
        db.session.commit()
    return found


def mark_verified(session: StaffSession, *, now: datetime | None = None) -> None:
    """The second factor was given: the session may now reach the staff pages."""
    session.verified_at = moment(now)
    db.session.commit()


def end_session(session: StaffSession, *, now: datetime | None = None) -> None:
    """Sign out: the session's token opens nothing any more."""
    session.ended_at = moment(now)
    db.session.commit()


def end_all_sessions(user: StaffUser, *, now: datetime | None = None) -> None:
    """End every session of the user (a new password, a deactivated account); the caller commits."""
    db.session.execute(update(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
                       .values(ended_at=moment(now)))
