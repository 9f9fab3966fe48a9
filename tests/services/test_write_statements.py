"""What a change of visits costs the database: the answer without a read after the commit, the
Idempotency-Key looked up only for a refused booking, a change's notices in one INSERT; on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from booking.extensions import db
from booking.models import Appointment, Notification
from booking.services.visits import InvalidBooking, book, book_course, cancel_together, reschedule
from tests.factories import Clinic, StaffUserFactory
from tests.services.test_book_course import course, pair
from tests.services.test_booking import NOW, TEN, count, request_for

COMMITTED = "-- committed --"


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent meanwhile, in order, with COMMITTED where the session committed."""
    sent: list[str] = []

    def before_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split()))

    def after_commit(_session: Session) -> None:
        sent.append(COMMITTED)

    event.listen(db.engine, "before_cursor_execute", before_execute)
    event.listen(Session, "after_commit", after_commit)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", before_execute)
        event.remove(Session, "after_commit", after_commit)


def inserts_into(table: str, sent: list[str]) -> int:
    """How many INSERT statements went to the table."""
    return sum(statement.startswith(f"INSERT INTO {table} ") for statement in sent)


def test_a_booking_names_its_therapist_without_a_read_after_its_commit(clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    name = therapist.name
    request = request_for(clinic, TEN)
    db.session.expunge_all()  # as in a web process: nothing of the clinic is loaded yet
    with statements() as sent:
        booked = book(request, now=NOW).appointment
        shown = (booked.therapist.name, booked.service.name, booked.patient.name, str(booked.screening_id))
    assert shown == (name, clinic.physio.name, "Alex Morgan", str(clinic.screenings["physiotherapy"].id))
    assert sent.count(COMMITTED) == 1 and sent[-1] == COMMITTED


def test_a_first_available_booking_names_its_therapist_without_a_read_after_its_commit(clinic: Clinic) -> None:
    names = {therapist.id: therapist.name for therapist in clinic.physiotherapists}
    request = request_for(clinic, TEN, therapist=None)
    db.session.expunge_all()
    with statements() as sent:
        booked = book(request, now=NOW).appointment
        name = booked.therapist.name
    assert name == names[booked.therapist_id] and sent[-1] == COMMITTED


def test_a_new_booking_with_a_key_does_not_look_the_key_up(clinic: Clinic) -> None:
    with statements() as sent:
        first = book(request_for(clinic, TEN, key="k-1"), now=NOW)
    assert not [statement for statement in sent if statement.startswith("SELECT") and "idempotency_key" in statement]
    again = book(request_for(clinic, TEN, key="k-1"), now=NOW)
    assert again.replayed and again.appointment.id == first.appointment.id and count(Appointment) == 1


def test_a_visit_change_writes_its_notices_in_one_insert(clinic: Clinic) -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLAlchemy inserts ORM rows one by one on SQLite, to keep their ids in order")
    with statements() as sent:
        visits = [booked.appointment for booked in book_course(course(clinic, *pair(clinic, TEN)), now=NOW)]
    assert inserts_into("notifications", sent) == 1
    written = count(Notification)
    assert written >= 6  # the course's notice, and each visit's therapist notice and reminders

    with statements() as sent:
        reschedule(visits[0], TEN + timedelta(days=1), now=NOW)
    assert inserts_into("notifications", sent) == 1 and count(Notification) > written

    with statements() as sent:
        cancel_together(visits, reason="Moving away", by_staff=StaffUserFactory(admin=True), now=NOW)
    assert inserts_into("notifications", sent) == 1


def therapist_reads(sent: list[str]) -> list[str]:
    """The statements that read therapists' rows or their qualifications (not the re-check's calendars)."""
    return [statement for statement in sent if statement.startswith("SELECT") and not statement.startswith("WITH")
            and ("FROM therapists" in statement or "FROM therapist_qualifications" in statement)]


def test_a_booking_checks_and_locks_the_therapist_asked_for_in_one_statement(clinic: Clinic) -> None:
    request = request_for(clinic, TEN)
    db.session.expunge_all()  # as in a web process: nothing of the clinic is loaded yet
    with statements() as sent:
        booked = book(request, now=NOW).appointment
    reads = therapist_reads(sent)
    assert len(reads) == 1 and "therapist_qualifications" in reads[0]
    if db.engine.dialect.name == "postgresql":
        assert reads[0].endswith("FOR NO KEY UPDATE OF therapists")
    assert booked.therapist_id == clinic.physiotherapists[0].id and count(Appointment) == 1


def test_a_course_locks_every_therapist_it_asks_for_at_once(clinic: Clinic) -> None:
    request = course(clinic, *pair(clinic, TEN))
    assert all(visit.therapist_id is not None for visit in request.visits)
    db.session.expunge_all()
    with statements() as sent:
        booked = book_course(request, now=NOW)
    assert len(therapist_reads(sent)) == 1
    assert {visit.appointment.therapist_id for visit in booked} == {visit.therapist_id for visit in request.visits}


def test_a_therapist_of_the_wrong_kind_is_still_refused_by_name(clinic: Clinic) -> None:
    masseur = clinic.massage_therapists[0]
    with pytest.raises(InvalidBooking) as refused:
        book(request_for(clinic, TEN, therapist=masseur.id), now=NOW)
    assert masseur.name in refused.value.errors["therapist_id"] and count(Appointment) == 0
