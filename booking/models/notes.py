"""What therapists write about visits (notes, outcomes): health information, seen only by the staff allowed to."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.clinic.limits import FUNCTION_NOTE_LENGTH
from booking.models.accounts import StaffUser
from booking.models.base import Base, UTCDateTime, utcnow


class VisitNote(Base):
    """A note on a visit: ``kind`` "session" (for the record) or "handoff" (for the other therapist of its care plan)."""

    __tablename__ = "visit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("appointments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="session")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[StaffUser] = relationship()


class VisitOutcome(Base):
    """How the patient was at a session: pain now (0 to 10) and a one-line function note, by the visit's therapist."""

    __tablename__ = "visit_outcomes"
    __table_args__ = (CheckConstraint("pain BETWEEN 0 AND 10", name="pain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("appointments.id"), unique=True)
    pain: Mapped[int]
    function_note: Mapped[str] = mapped_column(String(FUNCTION_NOTE_LENGTH))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[StaffUser] = relationship()
