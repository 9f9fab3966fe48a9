"""The services the clinic offers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.clinic.limits import NAME_LENGTH, SERVICE_CODE_LENGTH
from booking.models.base import Base
from booking.routing import THERAPY_TYPES as THERAPY_TYPES  # the contract's, re-exported for the models


class Service(Base):
    """A bookable service: what it is, how long it takes and what it costs."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("therapy_type IN ('physiotherapy', 'massage')", name="therapy_type"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(SERVICE_CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    therapy_type: Mapped[str] = mapped_column(String(16))
    duration_minutes: Mapped[int]
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    price_cents: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def duration(self) -> timedelta:
        """How long the visit lasts."""
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer(self) -> timedelta:
        """How long the therapist needs after the visit before the next one."""
        return timedelta(minutes=self.buffer_minutes)
