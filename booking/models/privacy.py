"""A patient's requests under the Health Information Act and PIPA, the corrections made, and consent to messages.

An access request is answered by producing everything held about the person; a correction request is either
made (the old value kept, see ``Correction``) or refused with the reason and the patient's own statement.
Consent records what a patient agreed to be sent beyond the messages their visits need (``booking.privacy``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.accounts import StaffUser
from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.patient import Patient


class AccessRequest(Base):
    """A person's request to see what the clinic holds about them: received, identified, due, answered."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    received_on: Mapped[date]
    # How the person was identified ("driver's licence shown at the desk"): no number from the document.
    identified_by: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    patient: Mapped[Patient] = relationship()
    recorded_by: Mapped[StaffUser] = relationship(foreign_keys=[recorded_by_id])
    answered_by: Mapped[StaffUser | None] = relationship(foreign_keys=[answered_by_id])


class CorrectionDecision(enum.StrEnum):
    """What became of a correction request."""

    CORRECTED = "corrected"
    REFUSED = "refused"


class CorrectionRequest(Base):
    """A person's request to correct what the clinic holds: what they asked, and the decision.

    Refused: ``reason`` says why, and ``statement`` is the patient's statement of disagreement, kept with the
    record and shown wherever the record is (the Act, s. 14).
    """

    __tablename__ = "correction_requests"
    __table_args__ = (CheckConstraint("decision IN ('corrected', 'refused')", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    received_on: Mapped[date]
    asked: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))  # a CorrectionDecision, None while open
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    statement: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship()
    recorded_by: Mapped[StaffUser] = relationship(foreign_keys=[recorded_by_id])
    decided_by: Mapped[StaffUser | None] = relationship(foreign_keys=[decided_by_id])


class Correction(Base):
    """One value corrected: the record and field, the old value (kept, shown to staff as corrected), the new one."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("correction_requests.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    # What was corrected: "patient" (its id), "note" (its id), ...; and which field of it.
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    corrected_by: Mapped[StaffUser] = relationship()


class MessageConsent(Base):
    """A patient's consent to a kind of message that is not transactional: what was agreed, when, how.

    ``purpose`` names the messages (a ``booking.notifications.kinds`` consent purpose); ``wording`` is the text
    the patient agreed to; ``how`` is how it was given ("online", "phone", "in person", "in writing");
    ``withdrawn_at`` ends it.
    """

    __tablename__ = "message_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recorded_by: Mapped[StaffUser | None] = relationship()
