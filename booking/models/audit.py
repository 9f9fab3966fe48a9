"""The audit log: who viewed or changed health information, and who changed settings. Never edited.

On PostgreSQL a trigger refuses every UPDATE and DELETE of ``audit_events``; on
SQLite a trigger refuses UPDATE. The app itself only ever inserts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.clinic.limits import AUDIT_DETAIL_LENGTH, AUDIT_WORD_LENGTH
from booking.models.accounts import StaffUser
from booking.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One action of a staff member: what they did to which record, and when (no health details)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    # A verb in the past tense: "viewed", "changed", "created", "cancelled", "signed in", ...
    action: Mapped[str] = mapped_column(String(AUDIT_WORD_LENGTH))
    # What it was done to: "screening", "appointment", "note", "settings", "therapist", ...
    subject_type: Mapped[str] = mapped_column(String(AUDIT_WORD_LENGTH))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    # A short description without health information ("opening hours", "status: completed").
    detail: Mapped[str | None] = mapped_column(String(AUDIT_DETAIL_LENGTH))

    actor: Mapped[StaffUser | None] = relationship()
