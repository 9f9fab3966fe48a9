"""What therapists write about visits: session notes, handoff notes and outcomes, every write audited.

All of it is health information: written by the visit's own therapist only (as
``booking.policy`` says, checked here whoever calls), seen by the staff allowed to,
never in an audit detail, a log line or a notification.
A handoff note is written on a session of a care plan for the plan's therapist
of the other kind, who is told (without the note) through the outbox; when a
stand-in wrote it (the session was moved to another therapist), the plan's
therapist of the session's own kind is told too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking import outbox
from booking.clinic.clock import moment
from booking.clinic.limits import FUNCTION_NOTE_LENGTH, NOTE_LENGTH
from booking.clinic.validators import plain_text
from booking.database import lock
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, CarePlan, CarePlanEvent, StaffUser, VisitNote, VisitOutcome
from booking.outbox import relay
from booking.policy import require_write_on_visit
from booking.services import audit

SESSION = "session"
HANDOFF = "handoff"
NOTE_KINDS = (SESSION, HANDOFF)
# The same note from the same author on the same visit within this time is the form sent again, stored once.
RESENT_WITHIN = timedelta(minutes=10)


class NoteError(ValueError):
    """A note or an outcome that cannot be stored; the message says why."""


def notes_of(appointment: Appointment) -> list[VisitNote]:
    """The visit's notes with their authors, oldest first."""
    query = (select(VisitNote).options(joinedload(VisitNote.author))
             .where(VisitNote.appointment_id == appointment.id).order_by(VisitNote.created_at, VisitNote.id))
    return list(db.session.scalars(query))


def _text(body: str | None, limit: int, what: str) -> str:
    """The text stripped; raises NoteError when it is empty, too long or not plain text."""
    text = (body or "").strip()
    if not text:
        raise NoteError(f"Write the {what} before saving it.")
    if len(text) > limit:
        raise NoteError(f"A {what} can be at most {limit} characters long; this one has {len(text)}.")
    try:
        plain_text(text)
    except ValueError as exc:
        raise NoteError(str(exc)) from exc
    return text


def _same_note_just_written(appointment: Appointment, author: StaffUser, kind: str, text: str,
                            when: datetime) -> VisitNote | None:
    """The author's identical note on the visit from the last minutes: the form sent twice (a double tap)."""
    return db.session.scalars(select(VisitNote).where(
        VisitNote.appointment_id == appointment.id, VisitNote.author_id == author.id, VisitNote.kind == kind,
        VisitNote.body == text, VisitNote.created_at >= when - RESENT_WITHIN).limit(1)).first()


def write_note(appointment: Appointment, author: StaffUser, body: str, *, kind: str = SESSION,
               now: datetime | None = None) -> VisitNote:
    """Store a note on the visit with its audit row (a handoff note also tells the plan's therapists, as
    ``CarePlan.handoff_recipients`` says).

    The same note sent again by its author within ``RESENT_WITHIN`` (a double tap,
    a reload) is the note already stored, written and told once.

    Raises Refused unless the author is the visit's own therapist, and NoteError for an
    empty or too long note, a cancelled visit, or a handoff note on a visit that belongs
    to no care plan.
    """
    require_write_on_visit(author, appointment)
    when = moment(now)
    if kind not in NOTE_KINDS:
        raise NoteError("Choose a session note or a handoff note.")
    text = _text(body, NOTE_LENGTH, "note")
    if appointment.status == AppointmentStatus.CANCELLED:
        raise NoteError("This visit was cancelled, so it takes no note.")
    plan = db.session.get(CarePlan, appointment.care_plan_id) if appointment.care_plan_id else None
    if kind == HANDOFF and plan is None:
        raise NoteError("This visit belongs to no care plan, so there is nobody to hand over to.")
    lock(appointment)
    sent_again = _same_note_just_written(appointment, author, kind, text, when)
    if sent_again is not None:
        return sent_again
    note = VisitNote(appointment_id=appointment.id, author_id=author.id, kind=kind, body=text, created_at=when)
    db.session.add(note)
    db.session.flush()
    audit.record("changed", "note", note.id, f"{kind} note written on visit {appointment.id}", actor=author,
                 at=when)
    notices = [] if plan is None or kind != HANDOFF else outbox.for_care_plan(
        plan.id, CarePlanEvent.HANDOFF_NOTE, f"note-{note.id}",
        plan.handoff_recipients(appointment.service.therapy_type, author.therapist_id), now=when)
    db.session.commit()
    relay.hand_over(notices)
    return note


def outcome_of(appointment: Appointment) -> VisitOutcome | None:
    """The outcome recorded at the visit, or None."""
    return db.session.scalar(select(VisitOutcome).where(VisitOutcome.appointment_id == appointment.id))


def record_pain(appointment: Appointment, author: StaffUser, pain: int | None, function_note: str | None, *,
                now: datetime | None = None) -> VisitOutcome:
    """Record (or correct) the outcome of a session that has begun: pain now, 0 to 10, and a one-line note.

    Raises Refused unless the author is the visit's own therapist, and NoteError for a
    pain score outside 0 to 10, an empty or too long function note, a visit not begun
    yet, or one cancelled or missed.
    """
    require_write_on_visit(author, appointment)
    when = moment(now)
    if pain is None or not 0 <= pain <= 10:
        raise NoteError("Enter the pain now as a whole number from 0 (none) to 10 (the worst imaginable).")
    text = _text(function_note, FUNCTION_NOTE_LENGTH, "function note")
    if "\n" in text or "\r" in text:
        raise NoteError("Keep the function note to one line.")
    lock(appointment)  # one outcome per visit, however many times the form is sent at once
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise NoteError("This visit did not take place, so it takes no outcome.")
    if appointment.starts_at > when:
        raise NoteError("This visit has not begun yet: record its outcome once it has.")
    outcome = outcome_of(appointment) or VisitOutcome(appointment_id=appointment.id)
    outcome.pain, outcome.function_note = pain, text
    outcome.recorded_by_id, outcome.recorded_at = author.id, when
    db.session.add(outcome)
    db.session.flush()
    audit.record("changed", "visit_outcome", outcome.id, f"outcome recorded for visit {appointment.id}",
                 actor=author, at=when)
    db.session.commit()
    return outcome
