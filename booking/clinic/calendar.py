"""Visits as iCalendar files: times in UTC, a stable UID per visit, SEQUENCE rising with each change.

No health information goes in: the service's name, the therapist, the clinic's
address and phone, and the manage link. The clinic (the emails' sender address,
its name as CN) is the ORGANIZER and the patient an ATTENDEE who has accepted
(the visit is booked; no reply is asked for), as strict calendar apps require
of an invitation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING

from flask import current_app

from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.models import Appointment, AppointmentStatus

if TYPE_CHECKING:
    from icalendar import Event

PRODUCT_ID = "-//Clinic booking//Appointments//EN"


def event_uid(appointment: Appointment) -> str:
    """A UID that stays the same for the visit, whatever changes, so calendars update it."""
    return f"appointment-{appointment.id}@clinic-booking"


def _event(appointment: Appointment, manage_url: str, now: datetime) -> Event:
    """One visit as an event (a cancelled visit comes out as cancelled)."""
    from icalendar import Event  # here, not at the top: only a calendar file needs it (3 MiB)

    config = current_app.config
    settings = clinic_settings()
    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("summary", f"{appointment.service.name} – {settings.name}")
    event.add("location", settings.address)
    event.add("description", (
        f"With {appointment.therapist.name}.\n"
        f"To see this visit: {manage_url}\n"
        f"It can be moved or cancelled there until {settings.cancel_cutoff_hours} hours before it; "
        f"after that, or with questions, call us at {settings.phone}."))
    event.add("url", manage_url)
    event.add("status", "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", f"mailto:{parseaddr(config['MAIL_DEFAULT_SENDER'])[1]}",
              parameters={"CN": _one_line(settings.name)})
    if appointment.patient.email:
        event.add("attendee", f"mailto:{appointment.patient.email}",
                  parameters={"CN": _one_line(appointment.patient.name), "CUTYPE": "INDIVIDUAL",
                              "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"})
    return event


def _one_line(name: str) -> str:
    """A name as one line, as a parameter (CN) must be."""
    return " ".join(name.split())


def ics_for(visits: Iterable[tuple[Appointment, str]], *, method: str = "PUBLISH",
            now: datetime | None = None) -> bytes:
    """A calendar file of visits, each given with its manage link.

    ``method`` is PUBLISH for a download, REQUEST for an emailed booking or change
    and CANCEL for an emailed cancellation (RFC 5546).
    """
    from icalendar import Calendar  # here, not at the top: only a calendar file needs it (3 MiB)

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for appointment, manage_url in visits:
        calendar.add_component(_event(appointment, manage_url, moment(now)))
    return calendar.to_ical()
