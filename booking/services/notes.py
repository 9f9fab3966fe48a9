"""Session notes on visits: health information, written by the visit's therapist, every write audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, StaffUser, VisitNote
from booking.services import audit
from booking.services.clock import moment
from booking.validators import plain_text

NOTE_LENGTH = 5000
SESSION = "session"


class NoteError(ValueError):
    """A note that cannot be stored; the message says why."""


def notes_of(appointment: Appointment) -> list[VisitNote]:
    """The visit's notes with their authors, oldest first."""
    query = (select(VisitNote).options(joinedload(VisitNote.author))
             .where(VisitNote.appointment_id == appointment.id).order_by(VisitNote.created_at, VisitNote.id))
    return list(db.session.scalars(query))


def write_note(appointment: Appointment, author: StaffUser, body: str, *, now: datetime | None = None) -> VisitNote:
    """Store a session note on the visit, with its audit row; raises NoteError for an empty or too long note."""
    text = (body or "").strip()
    if not text:
        raise NoteError("Write the note before saving it.")
    if len(text) > NOTE_LENGTH:
        raise NoteError(f"A note can be at most {NOTE_LENGTH} characters long; this one has {len(text)}.")
    try:
        plain_text(text)
    except ValueError as exc:
        raise NoteError(str(exc)) from exc
    if appointment.status == AppointmentStatus.CANCELLED:
        raise NoteError("This visit was cancelled, so it takes no session note.")
    note = VisitNote(appointment_id=appointment.id, author_id=author.id, kind=SESSION, body=text,
                     created_at=moment(now))
    db.session.add(note)
    db.session.flush()
    audit.record("changed", "note", note.id, f"session note written on visit {appointment.id}", actor=author)
    db.session.commit()
    return note
