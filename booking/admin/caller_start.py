"""What a caller's booking started with: a known patient's record, and a therapist and time chosen on the calendar.

``/admin/book?patient=<id>`` (a patient's page) and ``?therapist=<id>&start=<time>`` (an
empty time of the calendar), alone or together, start the caller's screening with
them already chosen. They are kept in the admin's session (ids and a time, never
health information): first for the screening under way, then, once it is stored, tied to it.
A link whose therapist is unknown or inactive, or whose time cannot be read or has
passed, starts the booking without that choice, saying why.

Once a service is chosen, the chosen time either still holds it (the slot search's rules,
``booking.services.visits.availability``) or does not, and ``unfit_words`` say why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import session
from werkzeug.datastructures import MultiDict

from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_time
from booking.database import parse_id
from booking.forms.visits import format_start, parse_start
from booking.models import Screening, Service, Therapist
from booking.routing import THERAPY_LABELS
from booking.scheduling import Unfit, WhyNot, qualifications
from booking.services.therapists.profiles import find_therapist

# Before the screening is stored, then tied to it: {"patient": id, "therapist": id, "start": time}, each optional.
STARTED_WITH, STARTED_FOR_SCREENING = "caller_started_with", "caller_started_with_screening"
WHEN = "day_no_year_at_time"  # Tuesday December 8 at 10:15 a.m. MST
NO_CHOICE = "The booking starts without a chosen therapist and time."


@dataclass(frozen=True)
class Chosen:
    """A therapist and a start time chosen on the calendar."""

    therapist: Therapist
    starts_at: datetime

    @property
    def day(self) -> date:
        """The clinic's day of the time chosen."""
        return self.starts_at.astimezone(clinic_zone()).date()

    @property
    def words(self) -> str:
        """The choice in words, shown on the booking's pages."""
        return f"Booking with {self.therapist.name}, {local_time(self.starts_at, WHEN)}"

    def gives(self, service: Service, screening: Screening) -> bool:
        """Whether the therapist gives this service to this caller: their therapy type, and their training for the
        screening's cautions."""
        return (service.therapy_type == self.therapist.therapy_type
                and qualifications.trained(service.therapy_type, screening.caution_codes,
                                           self.therapist.qualifications))


def _active_therapist(value: str | None) -> Therapist | None:
    """The active therapist with this id, or None (also for an id that is not a number)."""
    therapist_id = parse_id(value)
    therapist = find_therapist(therapist_id) if therapist_id is not None else None
    return therapist if therapist is not None and therapist.active else None


def choice_in(args: MultiDict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The therapist and time a link chose, as the session keeps them, or nothing and what is wrong with them."""
    if "therapist" not in args and "start" not in args:
        return {}, None
    therapist = _active_therapist(args.get("therapist"))
    if therapist is None:
        return {}, f"That therapist is unknown or no longer takes bookings. {NO_CHOICE}"
    starts_at = parse_start(args.get("start"))
    if starts_at is None:
        return {}, f"The time chosen could not be read. {NO_CHOICE}"
    if starts_at <= moment():
        return {}, f"{local_time(starts_at, WHEN)} has passed. {NO_CHOICE}"
    return {"therapist": therapist.id, "start": format_start(starts_at)}, None


def _chosen(started: dict[str, Any]) -> Chosen | None:
    """The choice kept, if it names a therapist still active and a readable time."""
    therapist = _active_therapist(str(started.get("therapist", "")))
    starts_at = parse_start(started.get("start"))
    return Chosen(therapist, starts_at) if therapist and starts_at else None


def start(started: dict[str, Any]) -> None:
    """Keep what a new booking starts with (replacing any earlier one)."""
    session[STARTED_WITH] = started


def forget() -> None:
    """A fresh start, for a new caller: nothing chosen."""
    session.pop(STARTED_WITH, None)


def tie_to(screening: Screening) -> None:
    """The screening is stored: what the booking started with is now that screening's."""
    started = session.pop(STARTED_WITH, None)
    if started:
        session[STARTED_FOR_SCREENING] = {"screening": str(screening.id), **started}


def started_for(screening_id: uuid.UUID) -> dict[str, Any]:
    """What this screening's booking started with (nothing if it started with nothing, or is another's)."""
    started = session.get(STARTED_FOR_SCREENING)
    return started if started and started.get("screening") == str(screening_id) else {}


def drop(screening_id: uuid.UUID, *names: str) -> None:
    """Let go of some of what this screening's booking started with ("patient": the caller is someone else;
    "therapist" and "start": any therapist instead of the one chosen)."""
    started = started_for(screening_id)
    if started:
        session[STARTED_FOR_SCREENING] = {name: value for name, value in started.items() if name not in names}


def finished() -> None:
    """The visit is booked: nothing is kept for the next one."""
    session.pop(STARTED_FOR_SCREENING, None)


def chosen_now() -> Chosen | None:
    """The therapist and time chosen for the screening under way (not stored yet)."""
    return _chosen(session.get(STARTED_WITH) or {})


def chosen_for(screening_id: uuid.UUID) -> Chosen | None:
    """The therapist and time chosen for this screening's booking."""
    return _chosen(started_for(screening_id))


def none_given(chosen: Chosen, screening: Screening) -> str:
    """Why the therapist chosen on the calendar gives none of the services this caller's screening allows."""
    therapist = chosen.therapist
    training = qualifications.in_words(therapist.therapy_type, screening.caution_codes)
    if therapist.therapy_type not in screening.therapy_types:
        reason = (f"{therapist.name} gives {THERAPY_LABELS[therapist.therapy_type]}, which this caller's screening "
                  f"does not recommend")
    elif training:
        reason = f"{therapist.name} is not trained in {training}, which this caller's screening calls for"
    else:
        reason = f"No active service of {THERAPY_LABELS[therapist.therapy_type]} fits this caller's screening"
    return f"{reason}. Choose a service below, then any therapist who gives it."


def unfit_words(why: WhyNot, chosen: Chosen, service: Service) -> str:
    """Why the chosen time does not hold the visit of ``service``, and what to do."""
    name, when = chosen.therapist.name, local_time(chosen.starts_at, WHEN)
    reasons = {
        Unfit.PAST: f"{when} has passed.",
        Unfit.TOO_SOON: f"{when} is too soon to book now.",
        Unfit.TOO_FAR: f"{when} is further ahead than the clinic takes bookings.",
        Unfit.OFF_GRID: f"{when} is not one of the clinic's start times.",
        Unfit.NOT_WORKING: f"{name} is not working at {when}.",
        Unfit.TIME_OFF: f"{name} is away at {when}.",
        Unfit.BOOKED: f"{when} is no longer open: {name} has another visit then.",
    }
    reason = reasons.get(why.reason)
    if reason is None:  # too long for the free time
        kept = f", and the {service.buffer_minutes} minutes kept free after it," if service.buffer_minutes else ""
        until = local_time(why.until, "time") if why.until else ""
        reason = (f"{name} is free from {local_time(chosen.starts_at, 'time')} only until {until}: "
                  f"a {service.duration_minutes}-minute visit{kept} does not fit.")
    return f"{reason} Choose one of {name}'s open times below, or another therapist."
