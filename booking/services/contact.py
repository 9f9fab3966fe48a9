"""Storing messages sent to the clinic, with the clinic's copy owed in the same transaction; the messages not yet
handled, and marking one handled (an admin's, as ``booking.policy`` says)."""

from __future__ import annotations

from sqlalchemy import select

from booking import outbox
from booking.clinic.clock import moment
from booking.clinic.validators import normalise_email, normalise_phone
from booking.extensions import db
from booking.models import ContactMessage, StaffUser
from booking.outbox import relay
from booking.policy import require_see_patients
from booking.services import audit


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


def unhandled(by: StaffUser, limit: int) -> list[ContactMessage]:
    """The messages nobody has handled yet, the oldest first: at most ``limit``, and one more when more wait (one
    query); Refused for anyone the policy does not let see patients' messages."""
    require_see_patients(by)
    return list(db.session.scalars(select(ContactMessage).where(ContactMessage.handled_at.is_(None))
                                   .order_by(ContactMessage.created_at, ContactMessage.id).limit(limit + 1)))


def mark_handled(message: ContactMessage, by: StaffUser) -> bool:
    """Mark the message handled by this admin, audited, unless it was handled already (the first stays); Refused for
    anyone the policy does not let see patients' messages."""
    require_see_patients(by)
    if message.handled_at is not None:
        return False
    message.handled_at, message.handled_by_id = moment(), by.id
    audit.record("handled", "contact_message", message.id, actor=by)
    db.session.commit()
    return True
