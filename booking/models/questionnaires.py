"""The questionnaire before a visit and the measurement its answers make: health information.

A questionnaire opens with an unguessable link (only the SHA-256 of its token is stored, as a
visit's manage link is), works until its visit ends and is answered once, at home or, handed over
by the therapist, in the waiting room.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.accounts import StaffUser
from booking.models.appointment import Appointment
from booking.models.base import Base, UTCDateTime, utcnow


class AnsweredIn(enum.StrEnum):
    """Where a questionnaire was answered: through the emailed link, or on the clinic's tablet."""

    HOME = "home"
    WAITING_ROOM = "waiting_room"


class Questionnaire(Base):
    """The questions owed before one visit (a care plan's, or a physiotherapy assessment), answered at most once."""

    __tablename__ = "questionnaires"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    appointment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("appointments.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When its link was first put into an email (None: never emailed, as for a patient without an address).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    appointment: Mapped[Appointment] = relationship()


class Measurement(Base):
    """The answers of one questionnaire, per measure code, and the PSFS activities they rate.

    ``answers``: ``{"nprs": 3, "psfs": [6, null, 4], "groc": 2}`` (``booking.questionnaires.answers``);
    ``activities``: the PSFS activities in the order of their ratings. ``number``: the measurement's place
    in its course (a care plan's, or 1 for an assessment outside a plan), which says what was asked.
    """

    __tablename__ = "measurements"
    __table_args__ = (CheckConstraint("number >= 1", name="number_positive"),
                      CheckConstraint("answered_in IN ('home', 'waiting_room')", name="answered_in"))

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("questionnaires.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    care_plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plans.id"), index=True)
    number: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    activities: Mapped[list[str]] = mapped_column(JSON)
    answered_in: Mapped[str] = mapped_column(String(16))  # an AnsweredIn
    # The therapist who handed the tablet over (None: answered through the emailed link).
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    recorded_by: Mapped[StaffUser | None] = relationship()
