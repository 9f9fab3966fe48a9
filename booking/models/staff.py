"""Therapists, their weekly hours and their time off."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.clinic.limits import EMAIL_LENGTH, NAME_LENGTH, TIME_OFF_REASON_LENGTH
from booking.models.base import Base, UTCDateTime


class Therapist(Base):
    """A physiotherapist or a massage therapist."""

    __tablename__ = "therapists"
    __table_args__ = (
        CheckConstraint("therapy_type IN ('physiotherapy', 'massage')", name="therapy_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    therapy_type: Mapped[str] = mapped_column(String(16), index=True)
    # Where the therapist hears of their bookings; none means they are not emailed.
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    bio: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Rises when the therapist revokes their calendar feed's link: the old link stops working.
    feed_version: Mapped[int] = mapped_column(default=0)
    # The therapist's choice: patients' full names in the feed's events instead of their initials.
    feed_full_names: Mapped[bool] = mapped_column(default=False, server_default=false())

    hours: Mapped[list[WorkingHours]] = relationship(
        back_populates="therapist", cascade="all, delete-orphan", order_by="WorkingHours.weekday")
    trained: Mapped[list[TherapistQualification]] = relationship(
        cascade="all, delete-orphan", order_by="TherapistQualification.code")

    @property
    def qualifications(self) -> list[str]:
        """The codes of what the therapist is trained in (booking.scheduling.qualifications)."""
        return [row.code for row in self.trained]


class TherapistQualification(Base):
    """One thing a therapist is trained in, by its code (booking.scheduling.qualifications.QUALIFICATIONS)."""

    __tablename__ = "therapist_qualifications"

    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)


class WorkingHours(Base):
    """One weekly shift, in the clinic's local time, between two dates."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from",
                        name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    therapist: Mapped[Therapist] = relationship(back_populates="hours")


class TimeOff(Base):
    """A period a therapist is away (holiday, course, sick day)."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(TIME_OFF_REASON_LENGTH), default="")
