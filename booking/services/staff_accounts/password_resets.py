"""Password resets: a one-time link, valid for 30 minutes, emailed through the outbox.

Asking for a link does the same work whatever the address typed: one
``password_reset`` notification naming the address, queued and handed to the
worker, so the answer's time tells nothing. Whether a link is owed is decided
when the email is sent (``reset_to_send``): only for an active login, and at
most PER_HOUR emails an hour per login; otherwise nothing is sent, and when no
active login has the address the skipped notification forgets it (the outbox
does not collect whatever strangers type).

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
from sqlalchemy import func, select, update

from booking import outbox
from booking.clinic.clock import moment
from booking.database import lock
from booking.extensions import db
from booking.models import Notification, PasswordReset, StaffUser
from booking.outbox import relay
from booking.services import audit
from booking.services.staff_accounts import lockout
from booking.services.staff_accounts.accounts import AccountError, find_by_email, set_password, typed_email

LIFETIME = timedelta(minutes=30)
# Reset emails sent to one login in any hour, at most: more requests are answered the same, and send nothing.
PER_HOUR = 3
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
    """Queue a reset email to the address typed, whoever has it (the caller says the same either way)."""
    notice = outbox.for_password_reset_request(typed_email(email), now=moment(now))
    db.session.commit()
    relay.hand_over([notice])


def _issue(user: StaffUser, asked_at: datetime, now: datetime) -> PasswordReset | None:
    """A new reset (working until LIFETIME after it was asked for) for this active login,
    unless it had PER_HOUR in the last hour."""
    lock(user)  # one decision at a time per login
    recent = db.session.execute(select(func.count(PasswordReset.id)).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1))).scalar_one()
    if recent >= PER_HOUR:
        return None
    reset = PasswordReset(id=uuid.uuid4(), user_id=user.id, created_at=now, expires_at=asked_at + LIFETIME)
    db.session.add(reset)
    db.session.flush()
    return reset


def reset_to_send(notification: Notification, *, now: datetime) -> PasswordReset | None:
    """The reset a ``password_reset`` notification carries, made at its first attempt; None when none is owed."""
    if notification.password_reset_id is None:
        user = find_by_email(notification.recipient or "")
        if user is None or not user.active:
            notification.recipient = None  # no login has it: what a stranger typed is not kept
            return None
        if now >= notification.created_at + LIFETIME:  # asked for too long ago: its link would have expired
            return None
        reset = _issue(user, notification.created_at, now)
        if reset is None:
            return None
        notification.password_reset_id = reset.id
    return pending(notification.password_reset_id, now=now)


def find_reset(token: str, *, now: datetime | None = None) -> PasswordReset:
    """The usable reset this token opens; AccountError says why not (unknown, used, expired)."""
    reset_id, _, _ = token.partition(".")
    try:
        key = uuid.UUID(hex=reset_id) if len(reset_id) == 32 else None
    except ValueError:
        key = None
    reset = db.session.get(PasswordReset, key) if key else None
    if reset is None or not hmac.compare_digest(reset_token(reset.id).encode(), token.encode()) \
            or not reset.user.active:
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
    lockout.forget(user.email)
    audit.record("password_reset", "staff_user", user.id, actor=user)
    db.session.commit()


def pending(reset_id: uuid.UUID | None, *, now: datetime | None = None) -> PasswordReset | None:
    """The reset with this id while it is unused and unexpired and its login active, else None."""
    reset = db.session.get(PasswordReset, reset_id) if reset_id else None
    if reset is None or reset.used_at is not None or moment(now) >= reset.expires_at or not reset.user.active:
        return None
    return reset

