"""Messages sent to the clinic through the home page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.clinic.limits import EMAIL_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.models.base import Base, UTCDateTime, utcnow


class ContactMessage(Base):
    """A message from the "Send us a message" form."""

    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    phone: Mapped[str | None] = mapped_column(String(PHONE_LENGTH))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When a staff member marked it handled, and who (the inbox shows the others first).
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
