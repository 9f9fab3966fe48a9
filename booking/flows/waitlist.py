"""The join step of the waitlist, shared by the patients' pages, the desk's for a caller and a care plan's session.

Each reads the service chosen before (a pair: the massage and the physiotherapy), offers the therapists who give it
and are trained for the screening's cautions (as the times page does), and on a valid POST joins through
``booking.services.waitlist.entries.join``, putting its refusals next to the fields. Only the pages, and where a
place joined leads, differ, in the views. A red-flag screening raises ReferredOut, for the view to show its advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import request

from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone
from booking.forms.visits import patient_details
from booking.forms.waitlist import ANYONE, DAY_CHOICES, PART_CHOICES, JoinForm, show_join_errors
from booking.models import Patient, Screening, Service, StaffUser, Therapist, WaitlistEntry
from booking.models.waitlist import EntryStatus
from booking.services.catalog import active_therapists, services_for
from booking.services.visits import InvalidBooking, ReferredOut
from booking.services.waitlist import entries


@dataclass(frozen=True)
class Waited:
    """What a place waits for: a service, or a pair's massage then physiotherapy."""

    service: Service
    pair: Service | None = None


def waited_for(screening: Screening, service_code: str | None, pair_code: str | None = None) -> Waited | None:
    """The service (and a pair's physiotherapy) with these codes, if the screening allows them; else None.
    Whether the two make a pair is the join's check (``entries.check``)."""
    services = {service.code: service for service in services_for(screening)}
    service, pair = services.get(service_code or ""), services.get(pair_code or "")
    return None if service is None or (pair_code and pair is None) else Waited(service, pair)


@dataclass(frozen=True)
class Place:
    """A place on the list as its page shows it: no health words, only what it waits for and when."""

    entry: WaitlistEntry
    days: str
    parts: str
    last_day: date
    status: str


def place_of(entry: WaitlistEntry) -> Place:
    """The entry's days and parts of the day in words, and the last day it waits through (local)."""
    names = {choice.value: choice.label for choice in DAY_CHOICES}
    labels = {choice.value: choice.label for choice in PART_CHOICES}
    return Place(entry, ", ".join(names[str(day)] for day in entry.days),
                 ", ".join(labels[part] for part in entry.parts if part in labels),
                 (entry.until.astimezone(clinic_zone()) - timedelta(days=1)).date(), EntryStatus(entry.status).label)


@dataclass(frozen=True)
class Joiner:
    """Who puts the place on the list: the patient (all None), or staff for a caller, a known record or a plan."""

    by: StaffUser | None = None
    patient: Patient | None = None
    care_plan_id: int | None = None
    known: dict[str, Any] = field(default_factory=dict)  # the form's first values (a plan's days, parts, therapist)


@dataclass
class JoinStep:
    """The step as the request left it: the form, a problem to show, or the place joined and its link's token."""

    waited: Waited
    form: JoinForm
    therapists: list[Therapist]
    first_day: date  # the days "until" may be: from today to six months ahead
    last_day: date
    problem: str | None = None
    joined: tuple[WaitlistEntry, str] | None = None


def join_step(screening: Screening, waited: Waited, form_class: type[JoinForm], joiner: Joiner = Joiner(), *,
              now: datetime | None = None) -> JoinStep:
    """Show the join form (GET, filled from the query and what is known), or join on a valid POST."""
    now = moment(now)
    therapists = active_therapists(waited.service.therapy_type, cautions=screening.caution_codes)
    if request.method == "POST":
        form = form_class()
    else:
        chosen = request.args.get("therapist")
        patient = joiner.patient
        first = {"name": patient.name, "email": patient.email, "phone": patient.phone} if patient else {}
        form = form_class(formdata=None, **{
            "until": entries.default_until(now), **first,
            "therapist": chosen if any(str(t.id) == chosen for t in therapists) else ANYONE, **joiner.known})
    form.service.data, form.pair_service.data = waited.service.code, waited.pair.code if waited.pair else ""
    form.offer([(t.id, t.name) for t in therapists])
    step = JoinStep(waited, form, therapists, entries.today(now), entries.latest_until(now))
    if form.validate_on_submit():
        _join(step, screening, joiner, now)
    return step


def _join(step: JoinStep, screening: Screening, joiner: Joiner, now: datetime) -> None:
    """Join with what the form holds; a refusal becomes the step's problem, next to the fields where it can."""
    form = step.form
    try:
        step.joined = entries.join(entries.JoinRequest(
            screening_id=str(screening.id), service_code=step.waited.service.code,
            pair_service_code=step.waited.pair.code if step.waited.pair else None, therapist_id=form.therapist_id,
            days=[int(day) for day in form.days.data or ()], parts=list(form.parts.data or ()),
            until=form.until.data,
            patient=patient_details(form),
            patient_id=joiner.patient.id if joiner.patient else None, care_plan_id=joiner.care_plan_id,
            joined_by=joiner.by), now=now)
    except ReferredOut:
        raise
    except InvalidBooking as exc:
        step.problem = show_join_errors(form, exc)
