"""Template filters: phone links, days and times in the named formats (booking.clinic.times.DATE_FORMATS), prices,
services, the words of the screening's codes, the calendar grid's free times."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape
from werkzeug.local import LocalProxy

from booking.clinic import cache
from booking.clinic.settings import WEEKDAYS, clinic_settings, opening_hours
from booking.clinic.times import local_time, written
from booking.clinic.validators import normalise_phone
from booking.forms.visits import format_start
from booking.measures import score_text
from booking.models import Service
from booking.notifications.kinds import PURPOSE_LABELS
from booking.routing import PATHWAY_LABELS, THERAPY_LABELS
from booking.scheduling.grid import FreeCell


def tel(phone: str) -> str:
    """A phone number as a tel: link target: E.164 ("+14035550142") however it was typed, else its digits."""
    try:
        return normalise_phone(phone)
    except ValueError:
        return re.sub(r"[^\d+]", "", phone)


def opening_hours_shown() -> list[tuple[str, str]]:
    """(weekday, "7:00 a.m. – 8:00 p.m." or "Closed"), Monday first, from the clinic's settings."""
    return [(day, "Closed" if hours is None else f"{written(hours[0], 'clock')} – {written(hours[1], 'clock')}")
            for day, hours in zip(WEEKDAYS, opening_hours(), strict=True)]


def price(cents: int) -> str:
    """A price in dollars, like $1,150.00."""
    return f"${cents / 100:,.2f}"


def service_title(service: Service) -> str:
    """The service's name with its length, unless the name already says it."""
    length = f"{service.duration_minutes} minutes"
    return service.name if length in service.name else f"{service.name} ({length})"


def free_cell(cell: FreeCell, therapist: str, clock: str, book_url: str | None) -> Markup:
    """A free time of the calendar's grid (macros/grid.html) as its table cell: the therapist and the start
    (``format_start``) as data, and on the admin's grid (``book_url``) a link to book a caller there, named "Book
    with Dana Lee at 10:15 a.m.". Written here rather than in the macro: a clinic's day has hundreds of them, and
    the day must render within 50 ms."""
    start = format_start(cell.starts_at)
    inside = (f'<a class="grid-free-link" href="{escape(book_url)}?therapist={cell.therapist_id}&amp;start={start}">'
              f'<span class="visually-hidden">Book with {escape(therapist)} at {escape(clock)}</span></a>'
              if book_url is not None else '<span class="visually-hidden">Free</span>')
    now = " grid-cell--now" if cell.now else ""
    return Markup(f'<td class="grid-free{now}" data-therapist="{cell.therapist_id}" data-start="{start}">{inside}</td>')


def register(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["tel"] = tel
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["price"] = price
    app.jinja_env.filters["service_title"] = service_title
    app.jinja_env.filters["written"] = written
    app.jinja_env.filters["therapy_label"] = THERAPY_LABELS.__getitem__  # "massage" | therapy_label: massage therapy
    app.jinja_env.filters["pathway_label"] = PATHWAY_LABELS.__getitem__
    app.jinja_env.filters["consent_purpose"] = lambda purpose: PURPOSE_LABELS.get(purpose, purpose)
    app.jinja_env.filters["free_cell"] = free_cell
    app.jinja_env.filters["score"] = score_text  # a measure's score, to a tenth: 3.7
    # A global, not a context variable, so that imported macros see it too; read when used.
    app.jinja_env.globals["clinic"] = LocalProxy(clinic_settings)
    app.teardown_request(lambda _error: cache.request_ended())
