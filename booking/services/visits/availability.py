"""Open times from the database: the therapists' calendars (``calendars``) asked of booking.scheduling."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from booking import scheduling
from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings, closed_days, opening_hours
from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Service
from booking.scheduling import Slot, SlotRules, SlotSearchError, TherapistCalendar, Unfit, WhyNot
from booking.services.therapists.training import training_needed
from booking.services.visits.calendars import load_calendars, window


def slot_rules() -> SlotRules:
    """The clinic's booking rules: the grid and horizon from the configuration, the rest from its settings
    (the opening hours and the days it is closed)."""
    config, settings = current_app.config, clinic_settings()
    return SlotRules(grid_minutes=config["SLOT_GRID_MINUTES"],
                     min_notice=timedelta(minutes=settings.min_notice_minutes),
                     horizon_days=config["BOOKING_HORIZON_DAYS"], opening_hours=opening_hours(),
                     closed_days=closed_days())


def bookable_days(now: datetime, rules: SlotRules | None = None) -> tuple[date, date]:
    """The first and last local days on which a visit can be booked now (``rules``: the clinic's, known)."""
    zone = clinic_zone()
    return now.astimezone(zone).date(), (rules or slot_rules()).latest(now).astimezone(zone).date()


def _timing(service: Service, now: datetime) -> dict[str, Any]:
    """The keyword arguments every scheduling call shares."""
    return {"duration": service.duration, "buffer": service.buffer, "now": now,
            "tz": clinic_zone(), "rules": slot_rules()}


def search_slots(service: Service, date_from: date, date_to: date, *, therapist_id: int | None = None,
                 now: datetime | None = None, exclude: uuid.UUID | None = None,
                 cautions: Collection[str] = ()) -> list[Slot]:
    """Open slots between two local dates: one therapist's, or the first available per start time.

    ``exclude`` names a visit being moved, whose own time counts as free and whose
    patient's other visits (booked with it) are left clear; ``cautions`` are the
    screening's, which only a trained therapist may treat (see ``load_calendars``). Raises
    SlotSearchError for a bad range ("from"/"to") or a therapist who does not give
    this service ("therapist_id").
    """
    timing = _timing(service, moment(now))
    first, last = bookable_days(timing["now"], timing["rules"])  # building the rules again costs ~14 µs
    if date_from > last or date_to < first:
        raise SlotSearchError({"from": f"Choose dates from {first} to {last}."})
    days: dict[str, Any] = {"date_from": date_from, "date_to": date_to}
    scheduling.first_available([], **days, **timing)  # the range is refused before any query
    calendars = load_calendars(service.therapy_type, window(service, date_from, date_to),
                               therapist_id=therapist_id, exclude=exclude, cautions=cautions)
    if therapist_id is None:
        slots = scheduling.first_available(calendars, **days, **timing)
    elif not calendars:
        training = training_needed(service, cautions)
        who = f"a therapist trained in {training}" if training else "a therapist"
        raise SlotSearchError({"therapist_id": f"Choose {who} who gives this service, or none for the first "
                                              f"available."})
    else:
        slots = scheduling.open_slots(calendars[0], **days, **timing)
    if exclude is None:
        return slots
    others = visits_booked_with(exclude)
    return [slot for slot in slots if in_the_way(others, slot.starts_at, slot.ends_at) is None]


def visits_booked_with(moved: uuid.UUID) -> list[Appointment]:
    """The other booked visits of a moved visit's patient record: its pair's partner, its plan's other sessions."""
    patient = select(Appointment.patient_id).where(Appointment.id == moved).scalar_subquery()
    return list(db.session.scalars(select(Appointment).where(
        Appointment.patient_id == patient, Appointment.id != moved, Appointment.status == AppointmentStatus.BOOKED)))


def in_the_way(others: list[Appointment], starts_at: datetime, ends_at: datetime) -> Appointment | None:
    """The visit among ``others`` that a visit from ``starts_at`` to ``ends_at`` would overlap, if any.

    The patient cannot be in two places at once; a visit right before or after another is fine.
    """
    return next((other for other in others if other.starts_at < ends_at and starts_at < other.ends_at), None)


def calendars_on_day(service: Service, starts_at: datetime, *, therapist_id: int | None,
                     exclude: uuid.UUID | None = None, cautions: Collection[str] = ()) -> list[TherapistCalendar]:
    """The calendars that decide whether a visit can start at ``starts_at`` (its whole local day)."""
    day = starts_at.astimezone(clinic_zone()).date()
    return load_calendars(service.therapy_type, window(service, day, day),
                          therapist_id=therapist_id, exclude=exclude, cautions=cautions)


def choose_therapist(calendars: list[TherapistCalendar], service: Service, starts_at: datetime, *,
                     first_available: bool, now: datetime) -> int | None:
    """The therapist who can take a visit at ``starts_at``, as the slot search would choose; None if nobody."""
    timing = _timing(service, now)
    if first_available:
        day = starts_at.astimezone(timing["tz"]).date()
        slots = scheduling.first_available(calendars, date_from=day, date_to=day, **timing)
        return next((slot.therapist_id for slot in slots if slot.starts_at == starts_at), None)
    return next((calendar.therapist_id for calendar in calendars
                 if scheduling.is_bookable(calendar, starts_at, **timing)), None)


def why_not_open(service: Service, starts_at: datetime, *, therapist_id: int, cautions: Collection[str] = (),
                 now: datetime | None = None) -> WhyNot | None:
    """Why this therapist cannot take a visit of ``service`` at ``starts_at`` now, by the slot search's rules; None
    when they can. A therapist who does not give the service (or is not trained for the ``cautions``) is not
    working for it."""
    calendars = calendars_on_day(service, starts_at, therapist_id=therapist_id, cautions=cautions)
    if not calendars:
        return WhyNot(Unfit.NOT_WORKING)
    return scheduling.why_not_open(calendars[0], starts_at, **_timing(service, moment(now)))


def search_pairs(first: Service, second: Service, date_from: date, date_to: date, *,
                 first_therapist_id: int | None, second_therapist_id: int | None,
                 cautions: Collection[str] = ()) -> list[tuple[datetime, datetime]]:
    """Back-to-back times between two local days: (first start, second start), the second starting as the first ends.

    Each therapist may be None for the first available of their kind (trained for the ``cautions``);
    both are free for their visit.
    """
    firsts = search_slots(first, date_from, date_to, therapist_id=first_therapist_id, cautions=cautions)
    seconds = search_slots(second, date_from, date_to, therapist_id=second_therapist_id, cautions=cautions)
    return [(one.starts_at, two.starts_at) for one, two in scheduling.back_to_back(firsts, seconds, clinic_zone())]

