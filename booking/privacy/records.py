"""Every record of a person, described: the kinds, in the order they are destroyed (a record before those it
points to), with their names in words.

A person is a patient record and every record joined into it. ``booking.services.privacy.person`` reads them
(each kind a field of its ``Person``, named as here); retention destroys them in this order, so that no record
is left pointing to one gone. The audit log is never among them: it is kept, and names ids only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """A kind of record of a person: its field on ``person.Person`` and what it is called, in the plural."""

    field: str
    label: str


# Each kind before every kind it points to: notifications point to visits, waitlist places and offers; a
# measurement to its questionnaire and care plan; a visit to its screening; a correction to its request.
DESTRUCTION_ORDER: tuple[Kind, ...] = (
    Kind("notifications", "notifications"),
    Kind("measurements", "measurements"),
    Kind("questionnaires", "questionnaires"),
    Kind("notes", "visit notes"),
    Kind("outcomes", "visit outcomes"),
    Kind("waitlist_offers", "waitlist offers"),
    Kind("waitlist_entries", "waitlist places"),
    Kind("appointments", "visits"),
    Kind("dismissals", "screenings dismissed from the care plan queue"),
    Kind("care_plans", "care plans"),
    Kind("screenings", "screenings"),
    Kind("corrections", "corrections"),
    Kind("correction_requests", "correction requests"),
    Kind("access_requests", "access requests"),
    Kind("consents", "consents to messages"),
    Kind("patients", "patient records"),
)
