"""Patients: people who book; they need no account."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from booking.clinic.limits import EMAIL_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.models.base import Base, UTCDateTime, utcnow


class Patient(Base):
    """A patient: the person behind one or more bookings (see booking.services.visits.patients).

    ``email`` is None for a caller booked by phone without one (nothing is emailed to
    them). ``merged_into_id`` is set when an admin joined this record into another one
    of the same person: its visits and plans moved there, and the record stays only as
    a pointer to it (see booking.services.patient_records).
    """

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH), index=True)
    phone: Mapped[str] = mapped_column(String(PHONE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Asked only where it matters: a patient under 18 at their last service is kept until ten years after
    # their 18th birthday (``booking.privacy``).
    birth_date: Mapped[date | None]
    # The local date the patient (or the desk for them) answered "not under 18": an adult on that date and after,
    # so the adults' rule applies without a birth date. Neither known: the patient could be a minor.
    adult_on: Mapped[date | None]
    # A legal hold keeps every record of the person past its retention date, until an admin lifts it.
    legal_hold_reason: Mapped[str | None] = mapped_column(String(200))
    legal_hold_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    legal_hold_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # When the patient stopped reminders with their email's one-click link (confirmations and changes still come).
    reminders_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def initials(self) -> str:
        """The patient's initials ("Alex Morgan" gives "A. M."): all a therapist's email or calendar shows of them."""
        return " ".join(f"{part[0].upper()}." for part in self.name.split() if part)
