"""Manage tokens: the secret in a visit's manage link.

``token = base64url(HMAC-SHA256(SECRET_KEY, "manage:" + str(appointment.id)))``
without padding. The id is a random UUID4 and the key is secret, so the token
cannot be guessed; only ``sha256(token)`` (hex) is stored, in
``manage_token_hash``, and ``find_for_manage`` compares hashes in constant time.
Because the token can be derived again from the id, a replayed request (same
Idempotency-Key) answers the same token as the first one. After a change of
SECRET_KEY existing links keep working (their hashes are stored), but a replay
would answer a token that no longer opens the visit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from flask import current_app
from sqlalchemy import select

from booking.clinic.validators import parse_uuid
from booking.extensions import db
from booking.models import Appointment


def derive_token(purpose: str, record_id: uuid.UUID) -> str:
    """The secret of a link for ``purpose`` ("manage", "questionnaire") to the record with this random id."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, f"{purpose}:{record_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def derive_manage_token(appointment_id: uuid.UUID) -> str:
    """The manage token of the appointment with this id."""
    return derive_token("manage", appointment_id)


def token_hash(token: str) -> str:
    """What is stored of a link's token (a manage link's, a questionnaire's): its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token(appointment: Appointment) -> str:
    """The manage token of an appointment, derived again from its id."""
    return derive_manage_token(appointment.id)


def find_for_manage(appointment_id: str | uuid.UUID | None, token: str) -> Appointment | None:
    """The appointment this token opens (and, when given, with this id); None on any mismatch."""
    if not token:
        return None
    presented = token_hash(token)
    if appointment_id is None:
        appointment = db.session.scalar(select(Appointment).where(Appointment.manage_token_hash == presented))
    else:
        key = parse_uuid(appointment_id)
        appointment = db.session.get(Appointment, key) if key else None
    if appointment is None or not hmac.compare_digest(appointment.manage_token_hash, presented):
        return None
    return appointment
