"""Massage right before physiotherapy, the pair's choice: its services and therapists, and its times.

``PairChoice`` is what the pair is of (read from a request by ``read_choice``, with the
forms of the pair's steps); ``pair_day_view`` shows a day of its pair times (a massage
start whose end is a physiotherapy start, both therapists free) in the picker's shape,
and ``nearby_pairs`` offers others when one was just taken. The pages are in
``booking.appointments.pairs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from wtforms import HiddenField, RadioField

from booking.appointments.forms import FIRST_AVAILABLE, DetailsForm, QueryForm, format_start
from booking.appointments.picker import DAY_AND_TIME_LABEL, TIME_LABEL, DayChoice, DayView, TimeChoice, periods
from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_time, written
from booking.models import Screening, Service, Therapist
from booking.scheduling import SlotSearchError
from booking.services.catalog import active_therapists, services_for
from booking.services.visits import VisitRequest
from booking.services.visits.availability import bookable_days, search_pairs
from booking.templating import price, service_title

MASSAGE, PHYSIOTHERAPY = "massage", "physiotherapy"
COMING_DAYS = 7
NEARBY = 6


@dataclass(frozen=True)
class PairChoice:
    """What the pair is of: each service and its therapist (None: the first available)."""

    massage: Service
    physio: Service
    massage_therapist: Therapist | None
    physio_therapist: Therapist | None
    cautions: tuple[str, ...] = ()  # the screening's: only therapists trained for them are offered

    def query(self) -> dict[str, str]:
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


def pair_slots(choice: PairChoice, date_from: date, date_to: date) -> list[tuple[datetime, datetime]]:
    """The pair times between two local days: (massage start, physiotherapy start), both therapists free."""
    return search_pairs(choice.massage, choice.physio, date_from, date_to,
                        first_therapist_id=_therapist_id(choice.massage_therapist),
                        second_therapist_id=_therapist_id(choice.physio_therapist), cautions=choice.cautions)


def _pair_label(massage_start: datetime, physio_start: datetime, label: str = TIME_LABEL) -> str:
    """"9:00 AM MST massage, then 10:00 AM physiotherapy"."""
    return f"{local_time(massage_start, label)} massage, then {local_time(physio_start, 'clock')} physiotherapy"


def _choices(pairs: list[tuple[datetime, datetime]], label: str = TIME_LABEL) -> list[TimeChoice]:
    """The pair times as the picker's time buttons (the massage start is the value)."""
    zone = clinic_zone()
    return [TimeChoice(format_start(first), _pair_label(first, second, label), first.astimezone(zone).hour)
            for first, second in pairs]


def pair_day_view(choice: PairChoice, requested: date | None, link: Callable[[date], str]) -> DayView:
    """The pair times on the day asked for (or the first coming day with some), in the picker's shape."""
    first, last = bookable_days(moment())
    view = DayView(day=requested, first_day=first, last_day=last)
    if requested is not None and not first <= requested <= last:
        view.error = f"Choose a day from {written(first, 'date_no_year')} to {written(last, 'date')}."
        view.day = None
    strip_start = view.day or first
    strip_end = min(strip_start + timedelta(days=COMING_DAYS - 1), last)
    try:
        pairs = pair_slots(choice, strip_start, strip_end)
    except SlotSearchError as exc:
        view.error, view.day = " ".join(exc.errors.values()), view.day or first
        return view
    zone = clinic_zone()
    open_days = sorted({start.astimezone(zone).date() for start, _ in pairs})
    view.day = view.day or (open_days[0] if open_days else first)
    if view.day > first:
        view.previous_url = link(view.day - timedelta(days=1))
    if view.day < last:
        view.next_url = link(view.day + timedelta(days=1))
    view.periods = periods(_choices([pair for pair in pairs if pair[0].astimezone(zone).date() == view.day]))
    days = [strip_start + timedelta(days=n) for n in range((strip_end - strip_start).days + 1)]
    view.coming = [DayChoice(day, link(day), day in open_days) for day in days if day >= view.day]
    later = [day for day in open_days if day > view.day]
    if later:
        view.next_open = DayChoice(later[0], link(later[0]), True)
    return view


def nearby_pairs(choice: PairChoice, massage_start: datetime) -> list[tuple[str, str]]:
    """Pair times close to one just taken: the same day nearest first, then the following days."""
    zone = clinic_zone()
    first, last = bookable_days(moment())
    day = max(massage_start.astimezone(zone).date(), first)
    if day > last:
        return []
    pairs = pair_slots(choice, day, min(day + timedelta(days=COMING_DAYS - 1), last))
    same_day = sorted((pair for pair in pairs if pair[0].astimezone(zone).date() == day),
                      key=lambda pair: abs(pair[0] - massage_start))
    later = [pair for pair in pairs if pair[0].astimezone(zone).date() > day]
    return [(c.value, c.label) for c in _choices((same_day + later)[:NEARBY], DAY_AND_TIME_LABEL)]
