"""The clinic's settings, edited by admins: one row, the one source for what patients see and book.

The opening hours shown on the home page are the hours slots are offered in:
a therapist's shift is offered only where it falls inside them, and on no day the
clinic is closed (a holiday, ``ClinicClosure``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.clinic.limits import ADDRESS_LENGTH, CLOSURE_LABEL_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.measures import AFTER_SESSIONS
from booking.models.base import Base, UTCDateTime, utcnow
from booking.questionnaires.timing import DEFAULT_SEND_TIME

WAITLIST_OFFERS_AT_ONCE = 1
REQUEST_DAYS = 30
RETENTION_YEARS = 10
UNBOOKED_SCREENING_DAYS = 90
CONTACT_MESSAGE_DAYS = 365
LINK_DAYS_AFTER_VISIT = 30
WAITLIST_CLAIM_MINUTES = 30
# What every booking confirmation tells the patient until an admin writes the clinic's own.
DEFAULT_VISIT_INSTRUCTIONS = (
    "Please arrive 10 minutes early to check in.\n"
    "Wear or bring loose, comfortable clothing, and bring your Alberta Health Care card "
    "and any extended health benefits details.\n"
    "Parking: call us if you are not sure where to park.")


class ClinicSettings(Base):
    """The clinic's name, contact details, opening hours and booking rules (a single row, id 1)."""

    __tablename__ = "clinic_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    phone: Mapped[str] = mapped_column(String(PHONE_LENGTH))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    # Seven entries, Monday first: ["07:00", "20:00"] for open hours, or null for closed.
    opening_hours: Mapped[list[Any]] = mapped_column(JSON)
    cancel_cutoff_hours: Mapped[int]
    min_notice_minutes: Mapped[int]
    reminder_offsets_minutes: Mapped[list[int]] = mapped_column(JSON)
    # Shown in every booking confirmation: arriving early, what to bring, parking (several lines; may be empty).
    visit_instructions: Mapped[str] = mapped_column(Text, default=DEFAULT_VISIT_INSTRUCTIONS,
                                                    server_default=DEFAULT_VISIT_INSTRUCTIONS)
    # The local time, on the day before a visit, its questionnaire is emailed ("HH:MM").
    questionnaire_time: Mapped[str] = mapped_column(String(5), default=DEFAULT_SEND_TIME, server_default=DEFAULT_SEND_TIME)
    # The sessions after which a care plan without a meaningful change is flagged (``booking.measures.steer``).
    flag_after_sessions: Mapped[int] = mapped_column(default=AFTER_SESSIONS, server_default=str(AFTER_SESSIONS))
    # The waitlist: how many waiting patients a freed time is offered to at once, and for how many minutes at
    # most an offer waits for its claim (less when the time is close: ``booking.waitlist.claim_window``).
    waitlist_offers_at_once: Mapped[int] = mapped_column(default=WAITLIST_OFFERS_AT_ONCE,
                                                         server_default=str(WAITLIST_OFFERS_AT_ONCE))
    waitlist_claim_minutes: Mapped[int] = mapped_column(default=WAITLIST_CLAIM_MINUTES,
                                                        server_default=str(WAITLIST_CLAIM_MINUTES))
    # Privacy and records (``booking.privacy``): days to answer an access or correction request; years a
    # patient's records are kept after the last service; days an unbooked screening and a contact-form message
    # are kept; days after a visit its manage and questionnaire links keep working.
    request_days: Mapped[int] = mapped_column(default=REQUEST_DAYS, server_default=str(REQUEST_DAYS))
    retention_years: Mapped[int] = mapped_column(default=RETENTION_YEARS, server_default=str(RETENTION_YEARS))
    unbooked_screening_days: Mapped[int] = mapped_column(default=UNBOOKED_SCREENING_DAYS,
                                                         server_default=str(UNBOOKED_SCREENING_DAYS))
    contact_message_days: Mapped[int] = mapped_column(default=CONTACT_MESSAGE_DAYS,
                                                      server_default=str(CONTACT_MESSAGE_DAYS))
    link_days_after_visit: Mapped[int] = mapped_column(default=LINK_DAYS_AFTER_VISIT,
                                                       server_default=str(LINK_DAYS_AFTER_VISIT))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ClinicClosure(Base):
    """A local date the whole clinic is closed (a holiday), with an optional label like "Christmas Day"."""

    __tablename__ = "clinic_closures"
    __table_args__ = (UniqueConstraint("day", name="uq_clinic_closures_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    label: Mapped[str] = mapped_column(String(CLOSURE_LABEL_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReferenceVersion(Base):
    """How many times the settings, the closed days or the services have changed (one row, id 1).

    Only the database's triggers raise it (migration 0017); each process compares it with the count its copies
    of those were read at (booking/clinic/cache.py). Not a record: the tests leave its row in place.
    """

    __tablename__ = "reference_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    counter: Mapped[int] = mapped_column(BigInteger, default=0)
