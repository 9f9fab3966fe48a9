"""The notification outbox: every message the clinic owes, as a row written with the change that causes it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.clinic.limits import EMAIL_LENGTH
from booking.models.appointment import Appointment
from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.clinic import ContactMessage
from booking.models.staff import Therapist


class NotificationStatus(enum.StrEnum):
    """Where a notification stands.

    pending: waiting for its time (or its next attempt); sending: claimed by a
    worker until ``claimed_until``; sent: accepted by the mail server; failed:
    refused for good, or out of attempts; skipped: no longer owed (the visit
    was cancelled or changed since the notification was written).
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        """The status as staff pages show it: "Sent", "Not needed"."""
        return {NotificationStatus.PENDING: "Waiting", NotificationStatus.SENDING: "Being sent",
                NotificationStatus.SENT: "Sent", NotificationStatus.FAILED: "Failed",
                NotificationStatus.SKIPPED: "Not needed"}[self]


class NotificationKind(enum.StrEnum):
    """What a notification is, stored by its value in ``Notification.kind``.

    Each kind has its entry in ``booking.notifications.kinds`` (whom it goes to, its
    subject, its calendar file) and its two templates, ``templates/email/<value>.txt``
    and ``.html``; ``booking.outbox`` writes its rows.
    """

    CONFIRMATION = "confirmation"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    COURSE_CONFIRMATION = "course_confirmation"
    COURSE_CANCELLED = "course_cancelled"
    PLAN_SCHEDULE = "plan_schedule"
    MANAGE_LINKS = "manage_links"
    THERAPIST_BOOKED = "therapist_booked"
    THERAPIST_RESCHEDULED = "therapist_rescheduled"
    THERAPIST_CANCELLED = "therapist_cancelled"
    CONTACT_MESSAGE = "contact_message"
    CARE_PLAN = "care_plan"
    PASSWORD_RESET = "password_reset"
    QUESTIONNAIRE = "questionnaire"
    WAITLIST_JOINED = "waitlist_joined"
    WAITLIST_OFFER = "waitlist_offer"

    @property
    def label(self) -> str:
        """The kind as staff pages show it (never what the message says): "Confirmation", "Reminder"."""
        return NOTIFICATION_KIND_LABELS[self]

    @property
    def to_patient(self) -> bool:
        """Whether a notification of this kind goes to the patient of the visit it is about."""
        return self in PATIENT_KINDS


NOTIFICATION_KIND_LABELS = {
    NotificationKind.CONFIRMATION: "Confirmation", NotificationKind.RESCHEDULED: "Visit moved",
    NotificationKind.CANCELLED: "Visit cancelled", NotificationKind.REMINDER: "Reminder",
    NotificationKind.COURSE_CONFIRMATION: "Confirmation of several visits",
    NotificationKind.COURSE_CANCELLED: "Several visits cancelled", NotificationKind.PLAN_SCHEDULE: "Care plan schedule",
    NotificationKind.MANAGE_LINKS: "Links to manage bookings", NotificationKind.THERAPIST_BOOKED: "Therapist: booked",
    NotificationKind.THERAPIST_RESCHEDULED: "Therapist: visit moved",
    NotificationKind.THERAPIST_CANCELLED: "Therapist: visit cancelled",
    NotificationKind.CONTACT_MESSAGE: "Contact message", NotificationKind.CARE_PLAN: "Care plan notice",
    NotificationKind.PASSWORD_RESET: "Password reset", NotificationKind.QUESTIONNAIRE: "Questions before a visit",
    NotificationKind.WAITLIST_JOINED: "Place on the waitlist", NotificationKind.WAITLIST_OFFER: "Waitlist: a time offered",
}
# The kinds sent to the patient of the visit a notification is about (the others go to staff, or to a typed address).
PATIENT_KINDS = frozenset({NotificationKind.CONFIRMATION, NotificationKind.RESCHEDULED, NotificationKind.CANCELLED,
                           NotificationKind.REMINDER, NotificationKind.COURSE_CONFIRMATION,
                           NotificationKind.COURSE_CANCELLED, NotificationKind.PLAN_SCHEDULE,
                           NotificationKind.QUESTIONNAIRE})


class CarePlanEvent(enum.StrEnum):
    """What happened on a shared care plan, stored in ``Notification.event`` of a "care_plan" notice."""

    PLAN_CREATED = "plan_created"
    PLAN_CHANGED = "plan_changed"
    SESSION_COMPLETED = "session_completed"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_MISSED = "session_missed"
    HANDOFF_NOTE = "handoff_note"
    OUTCOME_FLAGGED = "outcome_flagged"


class Notification(Base):
    """One message owed to one recipient, sent at most once (``key`` is unique).

    The row holds ids, never the message: the text is rendered when it is sent,
    from the visit as it is then. ``recipient`` is set only where no record
    names the address (the "Manage my booking" email).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="status"),
        Index("ix_notifications_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # a NotificationKind
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("appointments.id"), index=True)
    therapist_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))
    contact_message_id: Mapped[int | None] = mapped_column(ForeignKey("contact_messages.id"))
    # The care plan a collaborative-care notice is about; its foreign key comes with the care-plan tables.
    care_plan_id: Mapped[int | None]
    event: Mapped[str | None] = mapped_column(String(40))  # a CarePlanEvent
    recipient: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    # A staff member's password reset (the email carries the reset link, derived from its id).
    password_reset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("password_resets.id"))
    # A place on the waitlist (the email of joining carries its link) and an offer of a time (the claim link).
    waitlist_entry_id: Mapped[int | None] = mapped_column(ForeignKey("waitlist_entries.id"))
    waitlist_offer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("waitlist_offers.id"))
    version: Mapped[int] = mapped_column(default=0)
    offset_minutes: Mapped[int | None]
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    appointment: Mapped[Appointment | None] = relationship()
    therapist: Mapped[Therapist | None] = relationship()
    contact_message: Mapped[ContactMessage | None] = relationship()
