"""Storing messages sent to the clinic."""

from __future__ import annotations

from booking.extensions import db
from booking.models import ContactMessage
from booking.validators import normalise_email, normalise_phone


def save_message(*, name: str, email: str, phone: str | None, message: str) -> ContactMessage:
    """Store a validated contact message."""
    stored = ContactMessage(name=name.strip(), email=normalise_email(email),
                            phone=normalise_phone(phone) if phone else None, message=message.strip())
    db.session.add(stored)
    db.session.commit()
    return stored
