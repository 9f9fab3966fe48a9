"""Every record of a person: read from either of two joined records, each kind there, nothing of another patient."""

from __future__ import annotations

from dataclasses import fields

import pytest
from flask import Flask
from sqlalchemy import event

from booking.extensions import db
from booking.services.privacy.person import Person, records_of
from tests.factories import PatientFactory, small_clinic
from tests.privacy.people import MARKS, People, person_and_other


@pytest.fixture
def people(app: Flask) -> People:
    return person_and_other(small_clinic())


def test_every_kind_of_record_is_found_from_either_record(people: People) -> None:
    for record in (people.kept, people.joined):
        person = records_of(record)
        assert person.patient_ids == [people.kept.id, people.joined.id]
        for kind in fields(Person):
            assert getattr(person, kind.name), f"no {kind.name} found"


def test_the_records_are_the_persons_and_the_notes_and_words_theirs(people: People) -> None:
    person = records_of(people.joined)
    assert {visit.patient_id for visit in person.appointments} == {people.kept.id}  # the join moved them
    assert {entry.patient_id for entry in person.waitlist_entries} == {people.joined.id}  # a place stays
    assert {note.body for note in person.notes} == {MARKS["session note"], MARKS["handoff note"]}
    assert [outcome.function_note for outcome in person.outcomes] == [MARKS["outcome"]]
    assert [measurement.activities for measurement in person.measurements] == [[MARKS["activity"]]]
    assert [dismissal.reason for dismissal in person.dismissals] == [MARKS["dismissal"]]
    assert sorted(notice.key for notice in person.notifications) == [
        "robin:confirmation", "robin:manage", "robin:offer", "robin:plan", "robin:therapist", "robin:waitlist"]
    screenings = {visit.screening_id for visit in person.appointments}
    screenings |= {plan.screening_id for plan in person.care_plans}
    screenings |= {entry.screening_id for entry in person.waitlist_entries}
    assert {screening.id for screening in person.screenings} == screenings


def test_nothing_of_another_patient_is_found(people: People) -> None:
    person = records_of(people.kept)
    other = records_of(people.other)
    for kind in fields(Person):
        mine, theirs = getattr(person, kind.name), getattr(other, kind.name)
        assert theirs, f"the other patient has no {kind.name}: the test shows nothing"
        assert not {id(row) for row in mine} & {id(row) for row in theirs}, kind.name


def test_a_patient_with_no_records_but_their_own(app: Flask) -> None:
    person = records_of(PatientFactory())
    assert len(person.patients) == 1 and not person.appointments and not person.notifications


def test_a_few_queries_however_many_records(people: People) -> None:
    db.session.expire_all()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        records_of(people.joined)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 20
