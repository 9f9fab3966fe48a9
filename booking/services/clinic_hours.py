"""Changing the clinic's settings (audited), its opening hours and closed days without stranding a booked visit.

A change of the opening hours, or a closed day added, that would leave booked visits outside
the clinic's hours is refused with those visits listed (``HoursConflict``), so that the patients
can be called and their visits moved first. Which visits a change leaves outside is the rule a
therapist's own hours are changed by (``hours.newly_outside``): the opening hours are the weekly
hours, the closed days the time away. Every therapist's row is locked for the change, as a booking
locks its therapist's, so that a visit booked meanwhile is either seen by the check or made after.
Each change is an admin's (``booking.policy``): anyone else is refused before anything is read or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking import scheduling
from booking.clinic import cache
from booking.clinic.clock import moment
from booking.clinic.limits import CLOSURE_LABEL_LENGTH
from booking.clinic.settings import clinic_settings, closed_days, forget
from booking.clinic.times import LAST_DAY, clinic_zone, written
from booking.database import get_or_none
from booking.extensions import db
from booking.models import ClinicClosure, ClinicSettings, StaffUser, Therapist
from booking.policy import require_run_the_clinic
from booking.scheduling import Interval
from booking.scheduling.localday import local_day
from booking.services import audit
from booking.services.therapists.hours import Hours, HoursConflict, newly_outside, upcoming_visits
from booking.services.therapists.shifts import HoursError

# The audit log's names of the settings an admin edits.
SETTING_NAMES = {"name": "name", "phone": "phone", "address": "address", "opening_hours": "opening hours",
                 "cancel_cutoff_hours": "cut-off", "min_notice_minutes": "minimum notice",
                 "reminder_offsets_minutes": "reminders", "visit_instructions": "instructions for patients",
                 "questionnaire_time": "time the questions are sent",
                 "flag_after_sessions": "sessions before a plan is flagged",
                 "waitlist_offers_at_once": "waitlist offers at once", "waitlist_claim_minutes": "waitlist claim time",
                 "request_days": "days to answer a request", "retention_years": "years records are kept",
                 "unbooked_screening_days": "days a screening never booked is kept",
                 "contact_message_days": "days a message is kept", "link_days_after_visit": "days links work after a visit"}
# The privacy settings (``booking.privacy``), each kept as it is when not given.
PRIVACY_SETTINGS = ("request_days", "retention_years", "unbooked_screening_days", "contact_message_days",
                    "link_days_after_visit")


def _first_row(values: dict[str, Any]) -> ClinicSettings:
    """Store the settings row with ``values``; when another admin's first save stored it meanwhile, theirs."""
    try:
        with db.session.begin_nested():
            row = ClinicSettings(id=1, **values)
            db.session.add(row)
        return row
    except IntegrityError:
        return db.session.get_one(ClinicSettings, 1)


def _store_settings(by: StaffUser, *, name: str, phone: str, address: str, opening_hours: list[Any],
                    cancel_cutoff_hours: int, min_notice_minutes: int, reminder_offsets_minutes: list[int],
                    visit_instructions: str | None = None, questionnaire_time: str | None = None,
                    flag_after_sessions: int | None = None, waitlist_offers_at_once: int | None = None,
                    waitlist_claim_minutes: int | None = None, **privacy: int | None) -> list[str]:
    """Store the clinic's settings (the row is created on the first save), audit and commit.

    ``opening_hours`` has seven entries, Monday first: ["09:00", "17:00"] or None
    for closed; ``visit_instructions`` (several lines) and ``questionnaire_time`` (the local "HH:MM" of the day
    before a visit its questions are emailed), ``flag_after_sessions`` (the sessions after which a plan without a
    meaningful change is flagged), ``waitlist_offers_at_once`` (how many waiting patients a freed time is offered to
    at once), ``waitlist_claim_minutes`` (the longest an offer is held for its claim) and the privacy settings
    (``PRIVACY_SETTINGS``: days to answer a request, years records are kept, days a screening never booked and a
    message are kept, days links work after a visit) are kept as they are when not given.
    Returns the names of the settings changed; when none changed,
    nothing is written. Pages and slots see the new values at once.
    """
    values = {"name": name, "phone": phone, "address": address, "opening_hours": opening_hours,
              "cancel_cutoff_hours": cancel_cutoff_hours, "min_notice_minutes": min_notice_minutes,
              "reminder_offsets_minutes": reminder_offsets_minutes}
    current = clinic_settings()
    values["visit_instructions"] = current.visit_instructions if visit_instructions is None else \
        "\n".join(line.strip() for line in visit_instructions.splitlines())
    values["questionnaire_time"] = questionnaire_time or current.questionnaire_time
    values["flag_after_sessions"] = flag_after_sessions or current.flag_after_sessions
    values["waitlist_offers_at_once"] = waitlist_offers_at_once or current.waitlist_offers_at_once
    values["waitlist_claim_minutes"] = waitlist_claim_minutes or current.waitlist_claim_minutes
    if set(privacy) - set(PRIVACY_SETTINGS):
        raise TypeError(f"not a setting: {', '.join(sorted(set(privacy) - set(PRIVACY_SETTINGS)))}")
    for key in PRIVACY_SETTINGS:
        values[key] = privacy.get(key) or getattr(current, key)
    changed = [key for key, value in values.items() if getattr(current, key) != value]
    if not changed:
        return []
    row = db.session.get(ClinicSettings, 1) or _first_row(values)
    for key, value in values.items():
        setattr(row, key, value)
    audit.record("changed", "settings", 1, ", ".join(SETTING_NAMES[key] for key in changed), actor=by)
    db.session.commit()
    forget()
    return [SETTING_NAMES[key] for key in changed]


def _today(now: datetime) -> date:
    """The clinic's local date at ``now``."""
    return now.astimezone(clinic_zone()).date()


def _closed(day: date) -> Interval:
    """The whole local day, as time away."""
    span = local_day(day, clinic_zone(), current_app.config["SLOT_GRID_MINUTES"])
    return Interval(span.start, span.end)


def _clinic_hours(opening_hours: Sequence[Sequence[str] | None], closed: Iterable[date]) -> Hours:
    """The clinic's opening hours (seven entries, Monday first, as stored) and closed days, as hours."""
    shifts = [scheduling.WorkingHours(weekday, time.fromisoformat(hours[0]), time.fromisoformat(hours[1]))
              for weekday, hours in enumerate(opening_hours) if hours is not None]
    return Hours(shifts, [_closed(day) for day in closed])


def _check(after: Callable[[Hours], Hours], now: datetime) -> None:
    """Lock the therapists, then refuse (HoursConflict, rolled back) a change of the clinic's hours that would
    leave booked visits outside them; ``after(before)`` gives the hours as the change would make them."""
    db.session.execute(select(Therapist.id).with_for_update(key_share=True))
    cache.confirm()  # another admin's change, committed before these locks, is read even if not yet heard
    before = _clinic_hours(clinic_settings().opening_hours, closed_days())
    stranded = newly_outside(upcoming_visits(None, now), before, after(before))
    if stranded:
        db.session.rollback()
        raise HoursConflict(stranded)


def save_settings(by: StaffUser, *, opening_hours: list[Any], now: datetime | None = None, **values: Any) -> list[str]:
    """Store the clinic's settings (``_store_settings``), unless the new opening hours would leave booked
    visits outside them: HoursConflict lists those visits and nothing is changed. Refused for a non-admin."""
    require_run_the_clinic(by)
    new_shifts = _clinic_hours(opening_hours, ()).shifts
    _check(lambda before: replace(before, shifts=new_shifts), moment(now))
    return _store_settings(by, opening_hours=opening_hours, **values)


def upcoming_closures(now: datetime | None = None) -> list[ClinicClosure]:
    """The days the clinic will be closed, from today on, earliest first."""
    return list(db.session.scalars(select(ClinicClosure).where(ClinicClosure.day >= _today(moment(now)))
                                   .order_by(ClinicClosure.day)))


def describe(day: date, label: str) -> str:
    """A closed day in words, for the audit log and messages."""
    return written(day, "day") + (f" ({label})" if label else "")


def add_closure(day: date, label: str, by: StaffUser, *, now: datetime | None = None) -> ClinicClosure:
    """Close the clinic on a local date (today or later), with an optional label; audited.

    Raises HoursError naming the field for a past date, a long label or a day already closed,
    HoursConflict listing the booked visits on that day (nothing is changed), and Refused for a non-admin.
    """
    require_run_the_clinic(by)
    when, label = moment(now), (label or "").strip()
    errors: dict[str, str] = {}
    if not _today(when) <= day <= LAST_DAY:
        errors["day"] = f"Choose a date from today ({_today(when)}) to {LAST_DAY}."
    elif day in closed_days():
        errors["day"] = f"The clinic is already closed on {describe(day, '')}."
    if len(label) > CLOSURE_LABEL_LENGTH:
        errors["label"] = f"Write at most {CLOSURE_LABEL_LENGTH} characters."
    if errors:
        raise HoursError(errors)
    _check(lambda before: replace(before, away=[*before.away, _closed(day)]), when)
    closure = ClinicClosure(day=day, label=label)
    try:
        with db.session.begin_nested():
            db.session.add(closure)
    except IntegrityError:  # another admin closed the same day meanwhile
        db.session.rollback()
        raise HoursError({"day": f"The clinic is already closed on {describe(day, '')}."}) from None
    audit.record("changed", "settings", 1, f"closed day added: {describe(day, label)}", actor=by, at=when)
    db.session.commit()
    return closure


def remove_closure(closure_id: int, by: StaffUser) -> str:
    """Open the clinic again on a closed day (more hours strand no visit); audited; the day in words.
    LookupError if there is no such closed day, Refused for a non-admin."""
    require_run_the_clinic(by)
    closure = get_or_none(ClinicClosure, closure_id)
    if closure is None:
        raise LookupError(closure_id)
    day = describe(closure.day, closure.label)
    db.session.delete(closure)
    audit.record("changed", "settings", 1, f"closed day removed: {day}", actor=by)
    db.session.commit()
    return day
