"""What the tests of the therapists' pages share: a therapist's login, visits with a caution, counting queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import event

from booking.extensions import db
from booking.models import Appointment, Service, StaffUser
from tests.factories import AppointmentFactory, PatientFactory, ScreeningFactory, ServiceFactory, StaffUserFactory

CAUTION_ANSWERS = {"concerns": ["relaxation"], "precautions": ["anticoagulants"]}
CAUTION_TEXT = "Anticoagulants or bleeding disorder: light pressure only"  # the staff wording


def massage_therapist() -> StaffUser:
    """A massage therapist's staff login."""
    return StaffUserFactory(therapist__therapy_type="massage")


def massage_service() -> Service:
    """A 60-minute massage with a 15-minute buffer."""
    return ServiceFactory(massage=True, name="Massage therapy (60 minutes)")


def visit(user: StaffUser, starts_at: datetime, *, service: Service | None = None, caution: bool = False,
          name: str | None = None, **fields: Any) -> Appointment:
    """A visit of the user's therapist at ``starts_at``; ``caution`` gives it a blood-thinner screening."""
    answers = CAUTION_ANSWERS if caution else {"concerns": ["relaxation"]}
    patient = PatientFactory(name=name) if name else PatientFactory()
    return AppointmentFactory(therapist=user.therapist, service=service or massage_service(), patient=patient,
                              screening=ScreeningFactory(answers=dict(answers)), starts_at=starts_at, **fields)


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
