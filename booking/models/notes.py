"""Notes therapists write on visits: health information, seen only by the staff allowed to."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.accounts import StaffUser
from booking.models.base import Base, UTCDateTime, utcnow


class VisitNote(Base):
    """A session note on a visit (``kind`` "session"; the care-plan work adds handoff notes)."""

    __tablename__ = "visit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("appointments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="session")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[StaffUser] = relationship()
