"""Password resets: a one-time link, valid for 30 minutes, emailed through the outbox.

``token = <reset id, 32 hex digits>.<base64url(HMAC-SHA256(SECRET_KEY, "password-reset:" + id))>``
without padding. The id is a random UUID4 and only it is stored: the token is
derived again from it when the email is rendered, and checked in constant time
when the link is opened. The notification holds the reset's id, never the token.
A reset sets the new password, ends every session of the user and every other
unused reset, and clears the sign-in lock on the address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from booking.extensions import db
from booking.models import PasswordReset
from booking.notifications import outbox, relay
from booking.services import audit
from booking.services.accounts import AccountError, find_by_email, forget_failures, set_password
from booking.services.clock import moment

LIFETIME = timedelta(minutes=30)
UNKNOWN = "This password reset link is not valid. Check that you copied all of it, or ask for a new one."
USED = "This password reset link has already been used. Ask for a new one if you need to reset your password again."
EXPIRED = "This password reset link has expired (links work for 30 minutes). Ask for a new one."


def reset_token(reset_id: uuid.UUID) -> str:
    """The token of the reset with this id."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, f"password-reset:{reset_id}".encode(), hashlib.sha256).digest()
    return f"{reset_id.hex}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def request_reset(email: str, *, now: datetime | None = None) -> None:
    """Email a reset link when an active account has this address; nothing otherwise (the caller says the same)."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    when = moment(now)
    reset = PasswordReset(id=uuid.uuid4(), user_id=user.id, created_at=when, expires_at=when + LIFETIME)
    db.session.add(reset)
    db.session.flush()
    notice = outbox.for_password_reset(reset, now=when)
    db.session.commit()
    relay.hand_over([notice])


def find_reset(token: str, *, now: datetime | None = None) -> PasswordReset:
    """The usable reset this token opens; AccountError says why not (unknown, used, expired)."""
    reset_id, _, _ = token.partition(".")
    try:
        key = uuid.UUID(hex=reset_id) if len(reset_id) == 32 else None
    except ValueError:
        key = None
    reset = db.session.get(PasswordReset, key) if key else None
    if reset is None or not hmac.compare_digest(reset_token(reset.id).encode(), token.encode()):
        raise AccountError(UNKNOWN)
    if reset.used_at is not None:
        raise AccountError(USED)
    if moment(now) >= reset.expires_at:
        raise AccountError(EXPIRED)
    return reset


def reset_password(token: str, password: str, *, now: datetime | None = None) -> None:
    """Set a new password through a reset link, once; every session of the user ends."""
    when = moment(now)
    reset = find_reset(token, now=when)
    user = reset.user
    set_password(user, password, now=when)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=when))
    forget_failures(user.email)
    audit.record("password_reset", "staff_user", user.id, actor=user)
    db.session.commit()


def pending(reset_id: uuid.UUID | None, *, now: datetime | None = None) -> PasswordReset | None:
    """The reset with this id while it is unused and unexpired, else None."""
    reset = db.session.get(PasswordReset, reset_id) if reset_id else None
    if reset is None or reset.used_at is not None or moment(now) >= reset.expires_at:
        return None
    return reset

