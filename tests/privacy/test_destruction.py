"""Retention on a moved clock: every record of a person goes on their date and not before, a legal hold keeps them,
a minor's date runs from their 18th birthday, a patient who could be a minor is never destroyed, the audit row is
left without health information, and nothing of anyone else is touched."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import (
    AccessRequest,
    Appointment,
    AuditEvent,
    CarePlan,
    CarePlanDismissal,
    Measurement,
    MessageConsent,
    Notification,
    Patient,
    Questionnaire,
    Screening,
    VisitNote,
    VisitOutcome,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
)
from booking.models.waitlist import OfferStatus, OpeningStatus
from booking.services.privacy import destruction
from tests.factories import (
    AppointmentFactory,
    Clinic,
    PatientFactory,
    ScreeningFactory,
    StaffUserFactory,
    care_plan,
    local,
    small_clinic,
)
from tests.waitlist.records import entry, offer, opening

NOTE = "Left knee effusion, referred for imaging"


@dataclass
class People:
    """The clinic's patients, each a case of the rule (see ``people``)."""

    adult: Patient  # served last on 2016-03-01, with a record joined into it: due on 2026-03-01
    joined: Patient
    later: Patient  # served last on 2016-03-02: due a day later
    held: Patient  # served last in 2015, under a legal hold
    minor: Patient  # born 2004-09-15, under 18 at the last service on 2016-03-01: due on 2032-09-15
    unknown: Patient  # no birth date, never said to be an adult: could be a minor, never due


def visit(clinic: Clinic, patient: Patient, when: datetime, status: str = "completed") -> Appointment:
    """A physiotherapy visit of the patient at ``when``."""
    return AppointmentFactory(patient=patient, service=clinic.physio, therapist=clinic.physiotherapists[0],
                              starts_at=when, status=status)


def full_history(clinic: Clinic, patient: Patient, last: datetime) -> None:
    """Every kind of record for the patient: a visit with a note, an outcome, a questionnaire answered and a
    notification; a care plan with a notice about it; a screening dismissed from the care plan queue; a waitlist
    place with an offer of an opening it filled; an access request; a consent."""
    author = StaffUserFactory()
    seen = visit(clinic, patient, last)
    plan = care_plan(clinic, ScreeningFactory(kind="combined"), patient)
    questions = Questionnaire(appointment_id=seen.id, token_hash=uuid.uuid4().hex)
    db.session.add(questions)
    db.session.flush()
    db.session.add_all([
        VisitNote(appointment_id=seen.id, author_id=author.id, body=NOTE),
        VisitOutcome(appointment_id=seen.id, pain=4, function_note="Stairs with a rail", recorded_by_id=author.id),
        Measurement(questionnaire_id=questions.id, patient_id=patient.id, care_plan_id=plan.id, number=1,
                    answers={"nprs": 4}, activities=[], answered_in="home"),
        Notification(key=f"plan:{plan.id}", kind="care_plan", care_plan_id=plan.id, due_at=last),
        CarePlanDismissal(screening_id=seen.screening_id, reason="Declined", dismissed_by_id=author.id),
        Notification(key=f"confirmation:{seen.id}", kind="confirmation", appointment_id=seen.id, due_at=last),
        AccessRequest(patient_id=patient.id, received_on=last.date(), identified_by="licence at the desk",
                      due_on=last.date() + timedelta(days=30), recorded_by_id=StaffUserFactory(admin=True).id),
        MessageConsent(patient_id=patient.id, purpose="news", wording="The clinic's news", how="online")])
    place = entry(clinic.physio, seen.screening, last - timedelta(days=20))
    stand_in, place.patient = place.patient, patient  # the helper makes its own patient: the place is this one's
    db.session.delete(stand_in)
    freed = opening(clinic.physiotherapists[0], last - timedelta(days=10), OpeningStatus.FILLED, filled_by=place)
    offer(freed, place, last - timedelta(days=10), OfferStatus.CLAIMED)
    db.session.commit()


@pytest.fixture
def people(app: Flask) -> Iterator[People]:
    """The patients, their records made in 2014 to 2016."""
    with time_machine.travel(local(2014, 6, 1, 9), tick=False):
        clinic = small_clinic()
        made = People(*(PatientFactory() for _ in range(6)))
    with time_machine.travel(local(2016, 3, 2, 20), tick=False):
        made.adult.adult_on = made.later.adult_on = made.held.adult_on = date(2014, 6, 1)
        made.minor.birth_date = date(2004, 9, 15)
        made.joined.merged_into_id, made.joined.adult_on = made.adult.id, date(2014, 6, 1)
        full_history(clinic, made.adult, local(2016, 3, 1, 10))
        visit(clinic, made.joined, local(2015, 5, 5, 10))
        visit(clinic, made.adult, local(2016, 3, 1, 14), status="no_show")
        visit(clinic, made.adult, local(2014, 7, 1, 10), status="cancelled")
        visit(clinic, made.later, local(2016, 3, 2, 10))
        visit(clinic, made.held, local(2015, 1, 10, 10))
        made.held.legal_hold_reason, made.held.legal_hold_at = "lawsuit filed 2025-12-01", datetime.now(UTC)
        full_history(clinic, made.minor, local(2016, 3, 1, 11))
        visit(clinic, made.unknown, local(2010, 1, 5, 10))
        db.session.commit()
    yield made


def records_left(patient_id: int) -> dict[str, int]:
    """How many rows of each kind the patient record still has."""
    visits = select(Appointment.id).where(Appointment.patient_id == patient_id)
    count = lambda query: db.session.scalar(select(func.count()).select_from(query.subquery()))  # noqa: E731
    return {"patient": count(select(Patient.id).where(Patient.id == patient_id)),
            "visits": count(visits),
            "notes": count(select(VisitNote.id).where(VisitNote.appointment_id.in_(visits))),
            "outcomes": count(select(VisitOutcome.id).where(VisitOutcome.appointment_id.in_(visits))),
            "questionnaires": count(select(Questionnaire.id).where(Questionnaire.appointment_id.in_(visits))),
            "notifications": count(select(Notification.id).where(Notification.appointment_id.in_(visits))),
            "waitlist": count(select(WaitlistEntry.id).where(WaitlistEntry.patient_id == patient_id)),
            "care plans": count(select(CarePlan.id).where(CarePlan.patient_id == patient_id)),
            "measurements": count(select(Measurement.id).where(Measurement.patient_id == patient_id)),
            "requests": count(select(AccessRequest.id).where(AccessRequest.patient_id == patient_id)),
            "consents": count(select(MessageConsent.id).where(MessageConsent.patient_id == patient_id))}


def destroyed_rows() -> list[tuple[str | None, str | None, int | None]]:
    """The audit rows of destruction: the patient id, the detail, the actor."""
    return [(subject, detail, actor) for subject, detail, actor in db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.detail, AuditEvent.actor_id)
        .where(AuditEvent.action == "destroyed").order_by(AuditEvent.id))]


def test_nothing_goes_the_day_before_its_date(people: People) -> None:
    with time_machine.travel(local(2026, 2, 28, 23, 30), tick=False):
        report = destruction.destroy_due()
    assert report.destroyed == [] and [person.patient_id for person in report.held] == [people.held.id]
    assert records_left(people.adult.id)["visits"] == 3 and destroyed_rows() == []


def test_every_record_of_a_person_goes_on_their_date_and_the_audit_row_stays(people: People) -> None:
    adult, joined, later = people.adult.id, people.joined.id, people.later.id
    minor_before = records_left(people.minor.id)
    screenings_before = db.session.scalar(select(func.count()).select_from(Screening))
    with time_machine.travel(local(2026, 3, 1, 3, 15), tick=False):
        report = destruction.destroy_due()
    assert [(person.patient_id, person.retention.rule) for person in report.destroyed] == [
        (adult, "ten years after the last service on 2016-03-01")]
    db.session.expire_all()
    assert set(records_left(adult).values()) == {0} and set(records_left(joined).values()) == {0}
    assert db.session.scalar(select(func.count()).select_from(Screening)) == screenings_before - 5
    assert db.session.scalar(select(func.count()).select_from(WaitlistOffer)) == 1  # the minor's
    assert db.session.scalar(select(func.count()).select_from(CarePlanDismissal)) == 1  # the minor's
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2  # the minor's two
    freed = db.session.scalars(select(WaitlistOpening).order_by(WaitlistOpening.id)).all()
    assert len(freed) == 2 and freed[0].filled_entry_id is None  # the clinic's opening stays, pointing to no one
    assert destroyed_rows() == [(str(adult), "rule: ten years after the last service on 2016-03-01; records "
                                              f"joined into it: {joined}", None)]
    assert all(NOTE not in (detail or "") for _, detail, _ in destroyed_rows())
    assert records_left(later)["visits"] == 1 and records_left(people.minor.id) == minor_before
    with time_machine.travel(local(2026, 3, 2, 3, 15), tick=False):
        assert [person.patient_id for person in destruction.destroy_due().destroyed] == [later]


def test_a_legal_hold_keeps_every_record_until_it_is_lifted(people: People) -> None:
    with time_machine.travel(local(2030, 1, 1, 3), tick=False):
        report = destruction.destroy_due()
        assert [(person.patient_id, person.hold) for person in report.held] == [
            (people.held.id, "lawsuit filed 2025-12-01")]
        assert records_left(people.held.id)["visits"] == 1
        people.held.legal_hold_at = people.held.legal_hold_reason = None
        db.session.commit()
        assert [person.patient_id for person in destruction.destroy_due().destroyed] == [people.held.id]
    assert records_left(people.held.id)["patient"] == 0


def test_a_minor_is_kept_until_ten_years_after_their_18th_birthday(people: People) -> None:
    minor = people.minor.id
    with time_machine.travel(local(2032, 9, 14, 23), tick=False):
        destruction.destroy_due()
        assert records_left(minor)["visits"] == 1
    with time_machine.travel(local(2032, 9, 15, 3), tick=False):
        report = destruction.destroy_due()
    assert [person.patient_id for person in report.destroyed] == [minor]
    assert set(records_left(minor).values()) == {0}
    assert destroyed_rows()[-1] == (str(minor), "rule: ten years after the 18th birthday on 2022-09-15, under 18 "
                                                "at the last service on 2016-03-01", None)


def test_a_patient_who_could_be_a_minor_is_listed_and_never_destroyed(people: People) -> None:
    with time_machine.travel(local(2060, 1, 1, 3), tick=False):
        needed = destruction.birth_date_needed()
        destruction.destroy_due()
    assert [(person.patient_id, person.retention.rule) for person in needed] == [
        (people.unknown.id, "birth date needed: could have been under 18 at the last service on 2010-01-05")]
    assert records_left(people.unknown.id)["visits"] == 1


def test_a_dry_run_lists_what_would_go_and_changes_nothing(people: People) -> None:
    with time_machine.travel(local(2026, 6, 1, 12), tick=False):
        report = destruction.destroy_due(dry_run=True)
    assert report.dry_run and [person.patient_id for person in report.destroyed] == [people.adult.id, people.later.id]
    assert records_left(people.adult.id)["visits"] == 3 and destroyed_rows() == []


def test_a_visit_booked_since_the_list_was_made_keeps_the_person(people: People) -> None:
    with time_machine.travel(local(2026, 6, 1, 12), tick=False):
        listed = [person.patient_id for person in destruction.due()]
        visit(small_clinic_of(people), people.later, local(2026, 6, 1, 10))
        db.session.commit()
        report = destruction.destroy_due()
    assert people.later.id in listed and [person.patient_id for person in report.destroyed] == [people.adult.id]
    assert records_left(people.later.id)["visits"] == 2


def small_clinic_of(people: People) -> Clinic:
    """The clinic the people's visits were made in (its physiotherapy service and first physiotherapist)."""
    first = db.session.scalars(select(Appointment).where(Appointment.patient_id == people.later.id)).one()
    return Clinic(first.service, first.service, [first.therapist], [], {})


def test_a_person_whose_screening_another_still_uses_is_kept_and_the_rest_goes_on(
        people: People, caplog: pytest.LogCaptureFixture) -> None:
    shared = db.session.scalars(select(Appointment).where(Appointment.patient_id == people.later.id)).one()
    first = db.session.scalars(select(Appointment).where(Appointment.patient_id == people.adult.id)
                               .order_by(Appointment.starts_at.desc())).first()
    shared.screening_id = first.screening_id  # not a thing the app does: a record someone else still points to
    db.session.commit()
    with time_machine.travel(local(2030, 1, 1, 3), tick=False):
        report = destruction.destroy_due()
    assert people.adult.id not in [person.patient_id for person in report.destroyed]
    assert records_left(people.adult.id)["visits"] == 3 and records_left(people.later.id)["visits"] == 1
    assert f"the records of patient {people.adult.id} are still referred to; kept" in caplog.text
    assert str(people.adult.id) not in [subject for subject, _, _ in destroyed_rows()]
