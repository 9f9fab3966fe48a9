"""Massage right before physiotherapy, the pair's choice: its services and therapists, and its times.

``PairChoice`` is what the pair is of (read from a request by ``read_choice``, with the
forms of the pair's steps); ``PairSlots`` are its pair times (a massage start whose end
is a physiotherapy start, both therapists free) as a source of the picker
(``booking.flows.picker``), which shows a day of them and offers others when one was just
taken. The pages are in ``booking.appointments.pairs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from wtforms import HiddenField, RadioField

from booking.clinic.times import local_time
from booking.flows.picker import PickerWords
from booking.forms import QueryForm
from booking.forms.visits import FIRST_AVAILABLE, DetailsForm
from booking.models import Screening, Service, Therapist
from booking.services.catalog import active_therapists, services_for
from booking.services.visits import VisitRequest
from booking.services.visits.availability import search_pairs
from booking.templating import price, service_title

MASSAGE, PHYSIOTHERAPY = "massage", "physiotherapy"


@dataclass(frozen=True)
class PairChoice:
    """What the pair is of: each service and its therapist (None: the first available)."""

    massage: Service
    physio: Service
    massage_therapist: Therapist | None
    physio_therapist: Therapist | None
    cautions: tuple[str, ...] = ()  # the screening's: only therapists trained for them are offered

    def query(self) -> dict[str, Any]:
        """The choice as query-string (or hidden-field) values."""
        return {"massage": self.massage.code, "physio": self.physio.code,
                "massage_therapist": _therapist_value(self.massage_therapist),
                "physio_therapist": _therapist_value(self.physio_therapist)}

    def visits(self, massage_start: datetime) -> tuple[VisitRequest, VisitRequest]:
        """The two visits of the pair starting with the massage at ``massage_start``."""
        return (VisitRequest(self.massage.code, _therapist_id(self.massage_therapist), massage_start),
                VisitRequest(self.physio.code, _therapist_id(self.physio_therapist),
                             massage_start + self.massage.duration))


def _therapist_value(therapist: Therapist | None) -> str:
    """A therapist as a form value."""
    return str(therapist.id) if therapist else FIRST_AVAILABLE


def _therapist_id(therapist: Therapist | None) -> int | None:
    """A therapist's id, None for the first available."""
    return therapist.id if therapist else None


class PairForm(QueryForm):
    """The pair's services and therapists (read from the query string)."""

    massage = RadioField("Massage therapy", validate_choice=False)
    physio = RadioField("Physiotherapy", validate_choice=False)
    massage_therapist = RadioField("Massage therapist", default=FIRST_AVAILABLE, validate_choice=False)
    physio_therapist = RadioField("Physiotherapist", default=FIRST_AVAILABLE, validate_choice=False)


class PairDetailsForm(DetailsForm):
    """The details step of a pair: the pair's choice in hidden fields, the massage start, who you are."""

    physio = HiddenField()
    massage_therapist = HiddenField(default=FIRST_AVAILABLE)
    physio_therapist = HiddenField(default=FIRST_AVAILABLE)


def _of_type(services: list[Service], kind: str) -> list[Service]:
    """The services of one therapy type."""
    return [service for service in services if service.therapy_type == kind]


def read_choice(screening: Screening, values: dict[str, str]) -> tuple[PairForm, PairChoice | None]:
    """The pair form filled with the choices offered, and the choice it holds (defaults where none is made)."""
    services = services_for(screening)
    massages, physios = _of_type(services, MASSAGE), _of_type(services, PHYSIOTHERAPY)
    form = PairForm(formdata=None)
    form.massage.choices = [(s.code, f"{service_title(s)}, {price(s.price_cents)}") for s in massages]
    form.physio.choices = [(s.code, f"{service_title(s)}, {price(s.price_cents)}") for s in physios]
    cautions = tuple(screening.caution_codes)
    therapists = {kind: active_therapists(kind, cautions=cautions) for kind in (MASSAGE, PHYSIOTHERAPY)}
    form.massage_therapist.choices = [(FIRST_AVAILABLE, "First available")] + [
        (str(t.id), t.name) for t in therapists[MASSAGE]]
    form.physio_therapist.choices = [(FIRST_AVAILABLE, "First available")] + [
        (str(t.id), t.name) for t in therapists[PHYSIOTHERAPY]]
    massage = next((s for s in massages if s.code == values.get("massage")), massages[0] if massages else None)
    physio = next((s for s in physios if s.code == values.get("physio")), physios[0] if physios else None)
    massage_therapist = next((t for t in therapists[MASSAGE] if str(t.id) == values.get("massage_therapist")), None)
    physio_therapist = next((t for t in therapists[PHYSIOTHERAPY] if str(t.id) == values.get("physio_therapist")),
                            None)
    if massage is None or physio is None:
        return form, None
    choice = PairChoice(massage, physio, massage_therapist, physio_therapist, cautions)
    for name, value in choice.query().items():
        getattr(form, name).data = value
    return form, choice


PAIR_DAYS = "Choose a day from {first} to {last}."
PAIRS = PickerWords(too_early=PAIR_DAYS, too_late=PAIR_DAYS, nearest_first=True)


@dataclass(frozen=True)
class PairSlots:
    """The pair times of a choice, for the picker: a massage start whose end is a physiotherapy start, both
    therapists free (the massage start is the value)."""

    choice: PairChoice
    words: PickerWords = PAIRS

    def starts(self, date_from: date, date_to: date) -> list[datetime]:
        """The massage starts of the pair times between two local days, in order."""
        choice = self.choice
        pairs = search_pairs(choice.massage, choice.physio, date_from, date_to,
                             first_therapist_id=_therapist_id(choice.massage_therapist),
                             second_therapist_id=_therapist_id(choice.physio_therapist), cautions=choice.cautions)
        return sorted({first for first, _ in pairs})

    def label(self, start: datetime, pattern: str) -> str:
        """"9:00 AM MST massage, then 10:00 AM physiotherapy" (the start written in ``pattern``)."""
        physio_start = start + self.choice.massage.duration
        return f"{local_time(start, pattern)} massage, then {local_time(physio_start, 'clock')} physiotherapy"
