"""The waitlist: patients waiting for a time, the times that open, and the offers made of them.

An entry's screening comes with it (health information): it is reached only through the entry's
unguessable link or by staff. An opening is written in the transaction of the change that freed the
time (the waitlist's outbox); the worker turns it into offers (``booking.services.waitlist``). An offer
opens with its own unguessable link; only the SHA-256 of each link's token is stored.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.accounts import StaffUser
from booking.models.appointment import Appointment
from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.catalog import Service
from booking.models.patient import Patient
from booking.models.screening import Screening
from booking.models.staff import Therapist


class EntryStatus(enum.StrEnum):
    """Where a place on the waitlist stands: waiting, or how it ended."""

    WAITING = "waiting"
    BOOKED = "booked"  # a claimed offer booked it
    LEFT = "left"  # the patient left through their link
    REMOVED = "removed"  # an admin removed it
    EXPIRED = "expired"  # its "until" passed

    @property
    def label(self) -> str:
        """The status as pages show it."""
        return {EntryStatus.WAITING: "Waiting", EntryStatus.BOOKED: "Booked", EntryStatus.LEFT: "Left the list",
                EntryStatus.REMOVED: "Removed by the clinic", EntryStatus.EXPIRED: "Stopped waiting"}[self]


class OpeningCause(enum.StrEnum):
    """What freed a time."""

    CANCELLATION = "cancellation"
    MOVE = "move"
    HOURS = "hours"  # new working hours
    TIME_OFF = "time_off"  # a removed time off
    BY_HAND = "by_hand"  # an admin offered a time by hand

    @property
    def label(self) -> str:
        """The cause as pages show it."""
        return {OpeningCause.CANCELLATION: "Cancellation", OpeningCause.MOVE: "Visit moved",
                OpeningCause.HOURS: "New hours", OpeningCause.TIME_OFF: "Time off removed",
                OpeningCause.BY_HAND: "Offered by hand"}[self]


class OpeningStatus(enum.StrEnum):
    """What became of a freed time."""

    OPEN = "open"  # being offered, or waiting for the worker
    FILLED = "filled"  # a waitlister claimed it
    TAKEN = "taken"  # booked meanwhile, not through the waitlist
    UNFILLED = "unfilled"  # nobody fitted, every offer expired, or it came too close to offer

    @property
    def label(self) -> str:
        """The outcome as pages show it."""
        return {OpeningStatus.OPEN: "Being offered", OpeningStatus.FILLED: "Filled from the waitlist",
                OpeningStatus.TAKEN: "Booked another way", OpeningStatus.UNFILLED: "Not filled"}[self]


class OfferStatus(enum.StrEnum):
    """Where one offer of a time to one entry stands."""

    OFFERED = "offered"  # waiting for its claim until expires_at
    CLAIMED = "claimed"  # claimed: the time is booked for this entry
    EXPIRED = "expired"  # its window passed unclaimed
    TAKEN = "taken"  # someone else claimed it first, or the time was booked meanwhile
    WITHDRAWN = "withdrawn"  # the entry left or was removed while the offer was out

    @property
    def label(self) -> str:
        """The status as pages show it."""
        return {OfferStatus.OFFERED: "Offered", OfferStatus.CLAIMED: "Claimed", OfferStatus.EXPIRED: "Expired",
                OfferStatus.TAKEN: "Taken by someone else", OfferStatus.WITHDRAWN: "Withdrawn"}[self]


class WaitlistEntry(Base):
    """One patient waiting for a time of one service (or a back-to-back pair, massage then physiotherapy).

    ``days``: the weekdays that suit (0 Monday to 6 Sunday); ``parts``: the parts of the day that suit, by
    name ("morning", "afternoon", "evening": ``booking.scheduling.plans``); ``until``: the first moment it
    no longer waits. ``care_plan_id``: a care plan's session that could not be placed, which goes ahead of
    everyone else. ``link_id`` is the random id the entry's link token is derived from.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'booked', 'left', 'removed', 'expired')", name="status"),
        Index("ix_waitlist_entries_status_service_id", "status", "service_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    screening_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("screenings.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    pair_service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))
    care_plan_id: Mapped[int | None] = mapped_column(ForeignKey("care_plans.id"), index=True)
    days: Mapped[list[int]] = mapped_column(JSON)
    parts: Mapped[list[str]] = mapped_column(JSON)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The staff member who put a caller on the list (None: the patient joined online).
    joined_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[str] = mapped_column(String(16), default=EntryStatus.WAITING)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The visit a claimed offer booked (a pair's first visit).
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("appointments.id"))

    patient: Mapped[Patient] = relationship()
    screening: Mapped[Screening] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    pair_service: Mapped[Service | None] = relationship(foreign_keys=[pair_service_id])
    therapist: Mapped[Therapist | None] = relationship()
    joined_by: Mapped[StaffUser | None] = relationship()


class WaitlistOpening(Base):
    """A time that became free on one therapist's calendar, from ``starts_at`` to ``ends_at``, and its outcome.

    Written in the transaction of the change that freed it; ``key`` (unique) names that change, so one
    change opens a time once ("cancellation:<visit id>:v<version>"). ``relayed_at`` is stamped when it is
    handed to the worker, as a notification's is (``booking.outbox.relay``).
    """

    __tablename__ = "waitlist_openings"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'filled', 'taken', 'unfilled')", name="status"),
        CheckConstraint("cause IN ('cancellation', 'move', 'hours', 'time_off', 'by_hand')", name="cause"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_waitlist_openings_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cause: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=OpeningStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filled_entry_id: Mapped[int | None] = mapped_column(ForeignKey("waitlist_entries.id"))
    # The admin who offered it by hand (cause "by_hand").
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    therapist: Mapped[Therapist] = relationship()
    filled_entry: Mapped[WaitlistEntry | None] = relationship()


class WaitlistOffer(Base):
    """One opening offered to one entry: at most once (``opening_id``, ``entry_id`` is unique)."""

    __tablename__ = "waitlist_offers"
    __table_args__ = (
        UniqueConstraint("opening_id", "entry_id"),
        CheckConstraint("status IN ('offered', 'claimed', 'expired', 'taken', 'withdrawn')", name="status"),
        Index("ix_waitlist_offers_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("waitlist_openings.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id"), index=True)
    # The service it offers (the entry's; a pair's massage), and a pair's physiotherapist, chosen when offered.
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    pair_therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=OfferStatus.OFFERED)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("appointments.id"))
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    opening: Mapped[WaitlistOpening] = relationship()
    entry: Mapped[WaitlistEntry] = relationship()
    service: Mapped[Service] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
