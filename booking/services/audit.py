"""Writing the audit log: who viewed or changed health information (screenings, notes, plans) or settings.

``record`` adds the event to the current transaction, so a change and its audit
row are stored together; a view of health information records and commits.
Details name what was done, never the health information itself.
"""

from __future__ import annotations

from datetime import datetime

from flask_login import current_user

from booking.extensions import db
from booking.models import AuditEvent, StaffUser
from booking.services.clock import moment
from booking.text_limits import AUDIT_DETAIL_LENGTH


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


def viewed(subject_type: str, subject_id: object, detail: str | None = None) -> None:
    """Record that the signed-in staff member viewed health information, and commit."""
    record("viewed", subject_type, subject_id, detail)
    db.session.commit()
