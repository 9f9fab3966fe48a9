"""The clinic's settings: the stored row, or until an admin first saves one, the defaults.

Everything patients see and book by reads them from here: the name, phone and
address on every page and email, the opening hours on the home page (and the
hours slots are offered in), the days the clinic is closed, the cancellation cut-off, the minimum notice and
the reminder offsets. The first values come from the configuration
(CLINIC_NAME, CLINIC_PHONE, CLINIC_ADDRESS, CANCEL_CUTOFF_HOURS,
MIN_NOTICE_MINUTES, REMINDER_OFFSETS_MINUTES) and the opening hours below.
The settings and the closed days are kept in each process until they change (booking.clinic.cache).
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from booking.clinic import cache
from booking.extensions import db
from booking.measures import AFTER_SESSIONS
from booking.models import ClinicClosure, ClinicSettings
from booking.models.settings import (
    CONTACT_MESSAGE_DAYS,
    DEFAULT_VISIT_INSTRUCTIONS,
    LINK_DAYS_AFTER_VISIT,
    REQUEST_DAYS,
    RETENTION_YEARS,
    UNBOOKED_SCREENING_DAYS,
    WAITLIST_CLAIM_MINUTES,
    WAITLIST_OFFERS_AT_ONCE,
)
from booking.questionnaires.timing import DEFAULT_SEND_TIME

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The first opening hours, until an admin changes them (the demo therapists' shifts fall inside them).
DEFAULT_OPENING_HOURS: list[Any] = [["07:00", "20:00"]] * 4 + [["07:00", "18:00"], ["09:00", "15:00"], None]


def _defaults() -> ClinicSettings:
    """Settings from the configuration, not stored (the same instance while the configuration says the same)."""
    config = current_app.config
    return _from_configuration(config["CLINIC_NAME"], config["CLINIC_PHONE"], config["CLINIC_ADDRESS"],
                               config["CANCEL_CUTOFF_HOURS"], config["MIN_NOTICE_MINUTES"],
                               tuple(config["REMINDER_OFFSETS_MINUTES"]))


@lru_cache(maxsize=8)
def _from_configuration(name: str, phone: str, address: str, cancel_cutoff_hours: int, min_notice_minutes: int,
                        reminder_offsets_minutes: tuple[int, ...]) -> ClinicSettings:
    """The settings these values give, made once and shared, like the stored row's copy (read, never changed).

    Until an admin first saves, every read of the settings lands here, a slot search four times, and
    building an ORM instance costs more than the whole slot computation.
    """
    return ClinicSettings(id=1, name=name, phone=phone, address=address, opening_hours=list(DEFAULT_OPENING_HOURS),
                          cancel_cutoff_hours=cancel_cutoff_hours, min_notice_minutes=min_notice_minutes,
                          reminder_offsets_minutes=list(reminder_offsets_minutes),
                          visit_instructions=DEFAULT_VISIT_INSTRUCTIONS, questionnaire_time=DEFAULT_SEND_TIME,
                          flag_after_sessions=AFTER_SESSIONS, waitlist_offers_at_once=WAITLIST_OFFERS_AT_ONCE,
                          waitlist_claim_minutes=WAITLIST_CLAIM_MINUTES, request_days=REQUEST_DAYS,
                          retention_years=RETENTION_YEARS, unbooked_screening_days=UNBOOKED_SCREENING_DAYS,
                          contact_message_days=CONTACT_MESSAGE_DAYS, link_days_after_visit=LINK_DAYS_AFTER_VISIT)


def _stored() -> ClinicSettings | None:
    """The stored row, as a copy in no session (shared by the process: read, never changed), or None."""
    row = db.session.execute(select(*ClinicSettings.__table__.columns)).one_or_none()
    return None if row is None else cache.detached(ClinicSettings, row)


def clinic_settings() -> ClinicSettings:
    """The clinic's settings as they are now, kept in the process until an admin changes them.

    When the database does not answer, the configuration's values stand in, so that
    the "we are unavailable" page can still give the clinic's phone number.
    """
    try:
        return cache.remembered("settings", _stored) or _defaults()
    except (OperationalError, InterfaceError):
        db.session.rollback()
        return _defaults()


def forget() -> None:
    """Drop the settings (and the closed days and services) read so far, so that the next read sees a change
    (a flush of the models does it by itself: for a change made otherwise)."""
    cache.forget()


def opening_hours() -> tuple[tuple[time, time] | None, ...]:
    """The opening hours per weekday, Monday first, as times; None when closed."""
    return tuple(None if hours is None else (time.fromisoformat(hours[0]), time.fromisoformat(hours[1]))
                 for hours in clinic_settings().opening_hours)


def closed_days() -> frozenset[date]:
    """The local dates the whole clinic is closed (holidays, a few a year): nothing is offered on them."""
    return cache.remembered("closed_days", lambda: frozenset(db.session.scalars(select(ClinicClosure.day))))
