"""Appointments, and the database's guarantee that a therapist is never double-booked."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid, func, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from booking.clinic.limits import CANCELLATION_REASON_LENGTH, KEY_LENGTH
from booking.models.base import Base, StoredEnum, UTCDateTime, utcnow
from booking.models.catalog import Service
from booking.models.patient import Patient
from booking.models.screening import Screening
from booking.models.staff import Therapist


class AppointmentStatus(enum.StrEnum):
    """Where an appointment stands, in the order lists offer them."""

    BOOKED = "booked"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status as pages, emails and lists show it: "Booked", "No-show"."""
        return {AppointmentStatus.BOOKED: "Booked", AppointmentStatus.COMPLETED: "Completed",
                AppointmentStatus.NO_SHOW: "No-show", AppointmentStatus.CANCELLED: "Cancelled"}[self]

    @property
    def patient_label(self) -> str:
        """The status as the patient's own page shows it: as ``label``, but a no-show is "Missed"."""
        return "Missed" if self is AppointmentStatus.NO_SHOW else self.label

    @property
    def phrase(self) -> str:
        """The status after the visit's name in a sentence: "This visit was cancelled"."""
        return {AppointmentStatus.BOOKED: "is booked", AppointmentStatus.COMPLETED: "has taken place",
                AppointmentStatus.NO_SHOW: "was missed", AppointmentStatus.CANCELLED: "was cancelled"}[self]


class Appointment(Base):
    """A visit: a patient with a therapist for a service, from starts_at to ends_at (UTC).

    ``blocked_until`` is ``ends_at`` plus the service's buffer: the therapist's time
    is taken from ``starts_at`` to ``blocked_until``. On PostgreSQL the exclusion
    constraint below forbids two such ranges of one therapist to overlap unless one
    is cancelled; on SQLite the migration installs triggers that do the same.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'completed', 'no_show')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_until >= ends_at", name="blocked_after_end"),
        Index("ix_appointments_therapist_id_starts_at", "therapist_id", "starts_at"),
        # Slot searches read only the visits that hold time: an index-only scan.
        Index("ix_appointments_holding_time", "therapist_id", "starts_at",
              postgresql_include=["blocked_until", "id"],
              postgresql_where=text("status <> 'cancelled'"),
              sqlite_where=text("status <> 'cancelled'")),
        ExcludeConstraint(
            ("therapist_id", "="),
            (func.tstzrange(text("starts_at"), text("blocked_until"), text("'[)'")), "&&"),
            name="appointments_no_overlap",
            using="gist",
            where=text("status <> 'cancelled'"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    screening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("screenings.id"), index=True)
    # The combined-care plan (care_plans.id) this visit belongs to. No foreign key in the database:
    # SQLite could add one only by copying this table, which would drop the no-overlap triggers.
    care_plan_id: Mapped[int | None]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[AppointmentStatus] = mapped_column(StoredEnum(AppointmentStatus), default=AppointmentStatus.BOOKED)
    # Rises with each change (reschedule, cancel): the calendar's SEQUENCE and the notices' version.
    sequence: Mapped[int] = mapped_column(default=0)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), unique=True)
    # SHA-256 of the request that used the key: only the identical request is replayed.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(String(CANCELLATION_REASON_LENGTH))
    # When the front desk marked the patient arrived (None: not, or the mark was undone).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    patient: Mapped[Patient] = relationship()
    therapist: Mapped[Therapist] = relationship()
    service: Mapped[Service] = relationship()
    screening: Mapped[Screening] = relationship()

    @validates("status")
    def _status_member(self, _key: str, value: str) -> AppointmentStatus:
        """A status set as text becomes its member, as one read from the database is."""
        return AppointmentStatus(value)
