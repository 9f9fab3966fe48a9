"""A visit as an iCalendar file: one event, times in UTC, no health information."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from icalendar import Calendar, Event

from booking.models import Appointment, AppointmentStatus

PRODUCT_ID = "-//Clinic booking//Appointments//EN"


def event_uid(appointment: Appointment) -> str:
    """A UID that stays the same for the visit, whatever changes, so calendars update it."""
    return f"appointment-{appointment.id}@clinic-booking"


def ics_for(appointment: Appointment, *, manage_url: str, now: datetime | None = None) -> bytes:
    """Build the calendar file for a visit (a cancelled visit comes out as cancelled)."""
    config = current_app.config
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("summary", f"{appointment.service.name} – {config['CLINIC_NAME']}")
    event.add("location", config["CLINIC_ADDRESS"])
    event.add("description", (
        f"With {appointment.therapist.name}.\n"
        f"To see, move or cancel this visit: {manage_url}\n"
        f"Questions? Call us at {config['CLINIC_PHONE']}."))
    event.add("url", manage_url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
