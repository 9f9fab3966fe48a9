"""The booking steps shared by the patients' flow and an admin's phone booking.

Both read the chosen service and therapist the same way (``chosen_service``,
``day_form``), and their details step (``details_step``) shows the same form (the
patient's, or the admin's with the caller's consent), books through
``booking.services.visits.book`` and puts its refusals next to the fields, with
nearby open times when the time was taken. Only the pages, and where a booking
leads, differ, in the views. Moving a visit (``booking.flows.reschedule``) answers a
refused time the same way (``other_times``): nearby open times, and 409 when the time
was taken meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import request

from booking.flows.picker import DayView, TherapistSlots, nearby_choices
from booking.forms import required
from booking.forms.visits import (
    FIRST_AVAILABLE,
    BookingDayForm,
    DetailsForm,
    RescheduleForm,
    known_details,
    parse_start,
    patient_details,
    show_booking_errors,
)
from booking.models import Patient, Screening, Service, StaffUser, Therapist
from booking.services.catalog import active_therapists, services_for
from booking.services.therapists.training import training_needed
from booking.services.visits import (
    Booked,
    BookingError,
    BookingRequest,
    InvalidBooking,
    NoneTrained,
    ReferredOut,
    SlotTaken,
    book,
)


def chosen_service(screening: Screening, code: str | None) -> Service | None:
    """The service with this code, if the screening allows it."""
    return next((s for s in services_for(screening) if s.code == code), None)


def _chosen(value: str | None, therapists: list[Therapist]) -> Therapist | None:
    """The therapist chosen, or None for the first available (also for an unknown id)."""
    return next((t for t in therapists if str(t.id) == value), None)


def _therapist_id(value: str | None, therapists: list[Therapist]) -> int | None:
    """The id of the therapist chosen, or None for the first available (also for an unknown id)."""
    therapist = _chosen(value, therapists)
    return therapist.id if therapist else None


def day_form(service: Service, screening: Screening) -> tuple[BookingDayForm, int | None]:
    """The therapist-and-day form of the request for this service, checked; and the therapist chosen.

    Only the therapists trained for the screening's cautions are offered.
    """
    therapists = active_therapists(service.therapy_type, cautions=screening.caution_codes)
    form = BookingDayForm(formdata=request.args)
    form.therapist.choices = [(FIRST_AVAILABLE, "First available")] + [(str(t.id), t.name) for t in therapists]
    therapist_id = _therapist_id(form.therapist.data, therapists)
    form.therapist.data = str(therapist_id) if therapist_id else FIRST_AVAILABLE
    form.validate()
    return form, therapist_id


def none_trained(screening: Screening, service: Service, therapist_id: int | None, view: DayView,
                 words: Callable[[str], str]) -> str | None:
    """When no therapist trained for the screening's cautions has any time (first available finds none), what to
    say, in the reader's ``words`` given the training in words (a patient: call us); None otherwise."""
    if therapist_id is not None or view.periods or view.next_open is not None:
        return None
    training = training_needed(service, screening.caution_codes)
    return None if training is None else words(training)


@dataclass
class DetailsStep:
    """The step as the request left it: the choice, the form, a problem to show, or the booking made."""

    service: Service
    therapist: Therapist | None
    form: DetailsForm
    problem: str | None = None
    booked: Booked | None = None
    status: int = 200  # 409 when the time was just taken

    @property
    def starts_at(self) -> datetime | None:
        """The time chosen, if the form holds one."""
        return parse_start(self.form.starts_at.data)


def details_step(screening: Screening, form_class: type[DetailsForm], *, untrained: Callable[[str], str],
                 booked_by: StaffUser | None = None, patient: Patient | None = None) -> DetailsStep | None:
    """Read the choice and, on a valid POST, book; None when no service or time was chosen.

    ``patient`` is the known record staff book for: the form starts with its details, and
    the visit goes on it. A refer-out screening raises ReferredOut from the booking, for
    the view to show its advice. When no therapist trained for the screening's cautions
    gives the time (the first available), the reader is told so in their ``untrained``
    words, as on the times page (``none_trained``).
    """
    values = request.form if request.method == "POST" else request.args
    service = chosen_service(screening, values.get("service"))
    if service is None or (request.method == "GET" and parse_start(values.get("start")) is None):
        return None
    # The therapist comes from the list just read: no second query for the page (or the booking's checks).
    therapist = _chosen(values.get("therapist"), active_therapists(service.therapy_type,
                                                                   cautions=screening.caution_codes))
    therapist_id = therapist.id if therapist else None
    if request.method == "GET":
        known = known_details(patient) if patient else {}
        form = form_class(service=service.code, therapist=str(therapist_id or FIRST_AVAILABLE),
                          starts_at=values["start"], idempotency_key=uuid.uuid4().hex, **known)
    else:
        form = form_class()
    form.starts_at.choices = []
    step = DetailsStep(service, therapist, form)
    if form.validate_on_submit():
        _book(step, screening, therapist_id, booked_by, patient.id if patient else None, untrained)
    return step


def _book(step: DetailsStep, screening: Screening, therapist_id: int | None, booked_by: StaffUser | None,
          patient_id: int | None, untrained: Callable[[str], str]) -> None:
    """Book what the form holds; a refusal becomes the step's problem (and nearby times when the time went)."""
    form, starts_at = step.form, required(step.starts_at)
    slots = TherapistSlots(step.service, therapist_id, cautions=screening.caution_codes)
    try:
        step.booked = book(BookingRequest(
            screening_id=str(screening.id), service_code=step.service.code, therapist_id=therapist_id,
            starts_at=starts_at, idempotency_key=form.idempotency_key.data or None,
            patient=patient_details(form), booked_by=booked_by, patient_id=patient_id))
        return
    except ReferredOut:
        raise
    except SlotTaken as exc:
        step.problem = exc.message
        step.status = other_times(form, exc, slots, starts_at)
    except InvalidBooking as exc:
        step.problem = show_booking_errors(form, exc.worded(untrained) if isinstance(exc, NoneTrained) else exc)
        if "starts_at" in exc.errors:
            other_times(form, exc, slots, starts_at)
    except BookingError as exc:
        step.problem = exc.message


def other_times(form: DetailsForm | RescheduleForm, refusal: SlotTaken | InvalidBooking, source: TherapistSlots,
                starts_at: datetime) -> int:
    """Offer the open times near a time refused in the form, in its place; the page's status: 409 when the time
    was taken meanwhile (someone else booked it), else 200 (the time is not open, say)."""
    form.starts_at.choices = nearby_choices(source, starts_at)
    if form.starts_at.choices:
        form.starts_at.data = None
    return 409 if isinstance(refusal, SlotTaken) else 200
