"""A stored screening (the answers, the recommendation and the rules that made it), and drafts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from booking.models.base import Base, UTCDateTime, utcnow


class Screening(Base):
    """One patient's screening, reached only through its random id."""

    __tablename__ = "screenings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendation: Mapped[dict[str, Any]] = mapped_column(JSON)
    pathway: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the patient asked the clinic to plan their combined care (one of the ways into the admins' queue).
    plan_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def therapy_types(self) -> list[str]:
        """The therapy types this screening allows booking."""
        return list(self.recommendation["therapy_types"])

    @property
    def caution_codes(self) -> list[str]:
        """The codes of the cautions and contraindications that applied."""
        return [caution["code"] for caution in self.recommendation["cautions"]]


class ScreeningDraft(Base):
    """A screening in progress on the web: what was entered on each step so far, until it expires.

    It is reached only through a random token kept in the patient's session cookie; only
    the token's SHA-256 is stored here, so the table alone opens no draft.
    """

    __tablename__ = "screening_drafts"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
