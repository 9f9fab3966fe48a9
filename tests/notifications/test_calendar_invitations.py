"""Calendar files strict calendar apps accept: the clinic organises, the patient attends.

Each file is read with ``ical`` (a strict RFC 5545 parser, stricter than the
``icalendar`` the app writes with), and its addresses are checked to be
``mailto:`` URIs of one plain address each.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from ical.calendar_stream import IcsCalendarStream
from ical.event import Event

from booking.services.visits import cancel, manage_token
from tests.factories import Clinic
from tests.notifications.conftest import ALEX, book_visit, deliver_due
from tests.notifications.test_courses import book_pair
from tests.smtp import SmtpServer

MAILTO = re.compile(r"mailto:[^\s<>\"@]+@[^\s<>\"@]+\.[a-z]+")
CLINIC = "Bow River Physiotherapy & Massage"


def strict_events(ics: bytes) -> list[Event]:
    """The events of a calendar file, read strictly; each checked to be the clinic's invitation to Alex."""
    events = IcsCalendarStream.calendar_from_ics(ics.decode()).events
    assert events
    for event in events:
        assert MAILTO.fullmatch(event.organizer.uri), event.organizer.uri
        assert (event.organizer.uri, event.organizer.common_name) == ("mailto:bookings@bowriver-clinic.example",
                                                                      CLINIC)
        [patient] = event.attendees
        assert MAILTO.fullmatch(patient.uri)
        assert (patient.uri, patient.common_name, patient.role, patient.status, patient.rsvp) == (
            f"mailto:{ALEX.email}", ALEX.name, "REQ-PARTICIPANT", "ACCEPTED", False)
    return events


def attached_calendar(mail: object) -> bytes:
    """The calendar file attached to an email, as sent."""
    part = next(part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar")
    return part.get_payload(decode=True)


def test_a_visits_confirmation_and_cancellation_carry_strict_invitations(clinic: Clinic, smtp: SmtpServer) -> None:
    visit = book_visit(clinic)
    deliver_due()
    cancel(visit)
    deliver_due()
    booked, cancelled = smtp.sink.to(ALEX.email)
    assert [event.status for event in strict_events(attached_calendar(booked))] == ["CONFIRMED"]
    assert [event.status for event in strict_events(attached_calendar(cancelled))] == ["CANCELLED"]


def test_a_pairs_email_and_its_cancellation_carry_strict_invitations(clinic: Clinic, smtp: SmtpServer) -> None:
    massage, physio = (each.appointment for each in book_pair(clinic))
    deliver_due()
    cancel(physio, with_partner=True)
    deliver_due()
    booked, cancelled = smtp.sink.to(ALEX.email)
    assert len(strict_events(attached_calendar(booked))) == 2
    assert len(strict_events(attached_calendar(cancelled))) == 2


def test_the_downloaded_calendar_files_are_strict_invitations(clinic: Clinic, client: FlaskClient) -> None:
    massage, physio = (each.appointment for each in book_pair(clinic))
    single = client.get(f"/book/manage/{manage_token(physio)}/calendar.ics")
    assert single.status_code == 200 and len(strict_events(single.data)) == 1
    pair = client.get(f"/book/pair/{manage_token(massage)}/calendar.ics")
    assert pair.status_code == 200 and len(strict_events(pair.data)) == 2
