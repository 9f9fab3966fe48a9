"""Storing messages sent to the clinic, with the clinic's copy owed in the same transaction."""

from __future__ import annotations

from booking.extensions import db
from booking.models import ContactMessage
from booking.notifications import outbox, relay
from booking.services.clock import moment
from booking.validators import normalise_email, normalise_phone


def save_message(*, name: str, email: str, phone: str | None, message: str) -> ContactMessage:
    """Store a validated contact message and the notification that brings it to CLINIC_EMAIL."""
    stored = ContactMessage(name=name.strip(), email=normalise_email(email),
                            phone=normalise_phone(phone) if phone else None, message=message.strip())
    db.session.add(stored)
    db.session.flush()
    notice = outbox.for_contact_message(stored, now=moment())
    db.session.commit()
    relay.hand_over([notice])
    return stored
