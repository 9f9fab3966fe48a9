"""Combined-care plans (physiotherapy and massage as one course of care) and the queue's dismissals."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from booking.clinic.limits import DISMISSAL_REASON_LENGTH
from booking.models.accounts import StaffUser
from booking.models.base import Base, StoredEnum, UTCDateTime, utcnow
from booking.models.catalog import Service
from booking.models.patient import Patient
from booking.models.screening import Screening
from booking.models.staff import Therapist


class CarePlanStatus(enum.StrEnum):
    """Where a care plan stands."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def next(self) -> tuple[CarePlanStatus, ...]:
        """The statuses a plan may move to from this one: active and paused to each other, either of them to
        completed or cancelled; completed and cancelled are final."""
        if self in (CarePlanStatus.COMPLETED, CarePlanStatus.CANCELLED):
            return ()
        return tuple(status for status in CarePlanStatus if status != self)

    @property
    def label(self) -> str:
        """The status as pages and lists show it: "Active"."""
        return {CarePlanStatus.ACTIVE: "Active", CarePlanStatus.PAUSED: "Paused",
                CarePlanStatus.COMPLETED: "Completed", CarePlanStatus.CANCELLED: "Cancelled"}[self]


class CarePlan(Base):
    """A course of care for one combined screening: a therapist and a service of each kind, sessions, cadences.

    ``patient_id`` is set once the patient is known (from the screening's earlier
    booking, or when the course is booked). The goals are health information.
    """

    __tablename__ = "care_plans"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused', 'completed', 'cancelled')", name="status"),
        CheckConstraint("physio_sessions >= 0 AND massage_sessions >= 0", name="sessions"),
        CheckConstraint("physio_cadence_days >= 1 AND massage_cadence_days >= 1", name="cadences"),
        CheckConstraint("tolerance_days >= 0", name="tolerance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    screening_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("screenings.id"), unique=True)
    physiotherapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    massage_therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    physio_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    massage_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    goals: Mapped[str] = mapped_column(Text)
    physio_sessions: Mapped[int]
    physio_cadence_days: Mapped[int]
    massage_sessions: Mapped[int]
    massage_cadence_days: Mapped[int]
    tolerance_days: Mapped[int]
    back_to_back: Mapped[bool]
    starts_on: Mapped[date]
    status: Mapped[CarePlanStatus] = mapped_column(StoredEnum(CarePlanStatus), default=CarePlanStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))

    patient: Mapped[Patient | None] = relationship()
    screening: Mapped[Screening] = relationship()
    physiotherapist: Mapped[Therapist] = relationship(foreign_keys=[physiotherapist_id])
    massage_therapist: Mapped[Therapist] = relationship(foreign_keys=[massage_therapist_id])
    physio_service: Mapped[Service] = relationship(foreign_keys=[physio_service_id])
    massage_service: Mapped[Service] = relationship(foreign_keys=[massage_service_id])
    created_by: Mapped[StaffUser] = relationship()

    @validates("status")
    def _status_member(self, _key: str, value: str) -> CarePlanStatus:
        """A status set as text becomes its member, as one read from the database is."""
        return CarePlanStatus(value)

    @property
    def therapist_ids(self) -> list[int]:
        """Both therapists of the plan: the physiotherapist, then the massage therapist."""
        return [self.physiotherapist_id, self.massage_therapist_id]

    def handoff_recipients(self, therapy_type: str, writer_id: int | None) -> list[int]:
        """Who is told of a handoff note written on a session of this therapy type: the plan's therapist of the
        other kind; and the plan's therapist of this kind too, when someone else (a stand-in) wrote it."""
        own, other = ((self.massage_therapist_id, self.physiotherapist_id) if therapy_type == "massage"
                      else (self.physiotherapist_id, self.massage_therapist_id))
        return [other] if writer_id == own else [own, other]


class CarePlanDismissal(Base):
    """A combined screening taken off the "needs a care plan" queue without a plan, and why."""

    __tablename__ = "care_plan_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("screenings.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(DISMISSAL_REASON_LENGTH))
    dismissed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
