"""Writing the audit log: who viewed or changed health information (screenings, notes, plans) or settings.

``record`` adds the event to the current transaction, so a change and its audit
row are stored together; a view of health information records and commits.
Details name what was done, never the health information itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_login import current_user

from booking.clinic.clock import moment
from booking.clinic.limits import AUDIT_DETAIL_LENGTH
from booking.extensions import db
from booking.models import AuditEvent, StaffUser


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
