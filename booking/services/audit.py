"""The audit log: who viewed or changed health information (screenings, notes, plans) or settings.

``record`` adds the event to the current transaction, so a change and its audit
row are stored together; a view of health information records and commits.
Details name what was done, never the health information itself. Reading the
log (``log_page``) is an admin's (``booking.policy``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.clinic.clock import moment
from booking.clinic.limits import AUDIT_DETAIL_LENGTH
from booking.clinic.times import local_midnight
from booking.extensions import db
from booking.models import AuditEvent, StaffUser
from booking.policy import require_read_audit_log


def record(action: str, subject_type: str, subject_id: object = None, detail: str | None = None, *,
           actor: StaffUser | None = None, at: datetime | None = None) -> AuditEvent:
    """Add an audit event by ``actor`` (default: the signed-in staff member) at the change's time; the caller commits.

    ``at`` is the time the change is judged by (the service's ``now``), the current time by default; a
    longer ``detail`` than the column holds is cut.
    """
    who = actor if actor is not None else (current_user if current_user and current_user.is_authenticated else None)
    event = AuditEvent(at=moment(at), actor_id=who.id if who is not None else None, action=action,
                       subject_type=subject_type, subject_id=None if subject_id is None else str(subject_id),
                       detail=None if detail is None else detail[:AUDIT_DETAIL_LENGTH])
    db.session.add(event)
    return event


def record_and_commit(action: str, subject_type: str, subject_id: object = None, detail: str | None = None) -> None:
    """Record an event by the signed-in staff member that goes with no change of its own, and commit."""
    record(action, subject_type, subject_id, detail)
    db.session.commit()


def viewed(subject_type: str, subject_id: object, detail: str | None = None) -> None:
    """Record that the signed-in staff member viewed health information, and commit."""
    record_and_commit("viewed", subject_type, subject_id, detail)


def viewed_each(subject_type: str, subject_ids: Iterable[object], detail: str | None = None) -> None:
    """Record that the signed-in staff member viewed each of these (a row each, once per id), and commit."""
    for subject_id in dict.fromkeys(subject_ids):
        record("viewed", subject_type, subject_id, detail)
    db.session.commit()


@dataclass(frozen=True)
class AuditFilter:
    """What the log is narrowed to; None means any. ``last_day`` is included."""

    actor_id: int | None = None
    action: str | None = None
    subject_type: str | None = None
    first_day: date | None = None
    last_day: date | None = None


def log_page(chosen: AuditFilter, by: StaffUser, number: int, size: int) -> list[AuditEvent]:
    """Page ``number`` (from 1) of the events the filter keeps, newest first, with their actors, and one row more
    when another page follows; Refused for anyone the policy does not let read the log."""
    require_read_audit_log(by)
    query = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at.desc(),
                                                                              AuditEvent.id.desc())
    if chosen.actor_id is not None:
        query = query.where(AuditEvent.actor_id == chosen.actor_id)
    if chosen.action:
        query = query.where(AuditEvent.action == chosen.action.strip().lower())
    if chosen.subject_type:
        query = query.where(AuditEvent.subject_type == chosen.subject_type.strip().lower())
    if chosen.first_day is not None:
        query = query.where(AuditEvent.at >= local_midnight(chosen.first_day))
    if chosen.last_day is not None:
        query = query.where(AuditEvent.at < local_midnight(chosen.last_day + timedelta(days=1)))
    return list(db.session.scalars(query.limit(size + 1).offset((number - 1) * size)))
