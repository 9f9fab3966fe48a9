"""Retention: whose records have passed their date (``due``), and destroying them (``destroy_due``).

Every night the scheduler destroys every record of each person whose date has come (``booking.privacy.retention``):
in one transaction per person, in the order of ``booking.privacy.records`` (a record before those it points to),
leaving in the audit log that the person's records were destroyed, when and under which rule, with ids only. A
person with a legal hold on any of their records is kept and listed as held; one whose birth date is needed is
never destroyed. Each person is checked again, locked, before anything of theirs goes: a visit booked since the
list was made moves the date. A dry run destroys nothing and reports what would go.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError

from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.database import lock
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Patient, WaitlistOpening
from booking.privacy import retention
from booking.privacy.records import DESTRUCTION_ORDER
from booking.services import audit
from booking.services.privacy import person as people

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """A person whose records have passed their date (or need a birth date): the record kept, their name, the
    rule, and the legal hold that keeps them, if any."""

    patient_id: int
    name: str
    retention: retention.Retention
    hold: str | None = None


@dataclass
class Report:
    """What a run destroyed (or, a dry run, would destroy), and whom it kept under a legal hold."""

    dry_run: bool
    destroyed: list[Due] = field(default_factory=list)
    held: list[Due] = field(default_factory=list)


def _local_date(when: datetime) -> date:
    """The clinic's local date of a moment."""
    return when.astimezone(clinic_zone()).date()


def _took_place(now: datetime) -> ColumnElement[bool]:
    """Which visits count as a service: completed, or booked and begun (not yet marked)."""
    return (Appointment.status == AppointmentStatus.COMPLETED) | (
        (Appointment.status == AppointmentStatus.BOOKED) & (Appointment.starts_at <= now))


def _last_services(now: datetime, patient_ids: list[int] | None = None) -> dict[int, datetime]:
    """The start of the last service of each patient record (of these, or of all), by record id."""
    query = select(Appointment.patient_id, func.max(Appointment.starts_at)).where(_took_place(now))
    if patient_ids is not None:
        query = query.where(Appointment.patient_id.in_(patient_ids))
    return {patient_id: at for patient_id, at in db.session.execute(query.group_by(Appointment.patient_id))}


def _rule_input(records: Iterable[Patient], services: Iterable[datetime]) -> retention.Person:
    """What the retention rule reads of a person: their records and the starts of the visits that took place."""
    records = list(records)
    births = [record.birth_date for record in records if record.birth_date is not None]
    adults = [record.adult_on for record in records if record.adult_on is not None]
    last = max(services, default=None)
    return retention.Person(last_service=None if last is None else _local_date(last),
                            last_record=_local_date(max(record.created_at for record in records)),
                            birth_date=births[0] if births else None, adult_on=min(adults, default=None))


def _rule_of(records: list[Patient], now: datetime, last: dict[int, datetime]) -> retention.Retention:
    """The rule of the person these records are, given the last service of each record."""
    return retention.retention(_rule_input(records, (last[r.id] for r in records if r.id in last)),
                               clinic_settings().retention_years)


def retention_of(kept: Patient, now: datetime | None = None) -> retention.Retention:
    """The rule the person's records are kept by, in two queries: the records joined into this one (a join
    re-points those of the record joined, so all point here), and their last services."""
    records = [kept, *db.session.scalars(select(Patient).where(Patient.merged_into_id == kept.id))]
    return _rule_of(records, moment(now), _last_services(moment(now), [record.id for record in records]))


def _hold(records: Iterable[Patient]) -> str | None:
    """The reason of a legal hold on any of the person's records."""
    return next((record.legal_hold_reason for record in records if record.legal_hold_at is not None), None)


def _everyone(now: datetime) -> list[Due]:
    """Every person with their rule, in two queries: their records, and the last service of each record."""
    records = list(db.session.scalars(select(Patient).order_by(Patient.id)))
    by_id = {record.id: record for record in records}
    last = _last_services(now)
    persons: dict[int, list[Patient]] = {}
    for record in records:
        kept = record
        while kept.merged_into_id is not None and kept.merged_into_id in by_id:
            kept = by_id[kept.merged_into_id]
        persons.setdefault(kept.id, []).append(record)
    return [Due(kept_id, by_id[kept_id].name, _rule_of(person, now, last), _hold(person))
            for kept_id, person in persons.items()]


def due(now: datetime | None = None) -> list[Due]:
    """The people whose records may be destroyed today (those under a legal hold too, with its reason), by date."""
    today = _local_date(moment(now))
    return sorted((person for person in _everyone(moment(now)) if person.retention.due(today)),
                  key=lambda person: (person.retention.destroy_on, person.patient_id))


def birth_date_needed(now: datetime | None = None) -> list[Due]:
    """The people kept only because their birth date is unknown: they could have been under 18 at the last service,
    and an adult's date would have come."""
    today, years = _local_date(moment(now)), clinic_settings().retention_years
    return [person for person in _everyone(moment(now))
            if person.retention.basis is retention.Basis.BIRTH_DATE_NEEDED and person.retention.last_service is not None
            and retention.anniversary(person.retention.last_service, years) <= today]


def destroy_due(now: datetime | None = None, *, dry_run: bool = False) -> Report:
    """Destroy every record of each person whose date has come, one transaction each, and audit it; those under a
    legal hold are kept. A dry run changes nothing and reports the same."""
    when = moment(now)
    report = Report(dry_run)
    for person in due(when):
        if person.hold is not None:
            report.held.append(person)
        elif dry_run:
            report.destroyed.append(person)
        elif (destroyed := _destroy_one(person.patient_id, when)) is not None:
            report.destroyed.append(destroyed)
    logger.info("retention: %s destroyed, %s held%s", len(report.destroyed), len(report.held),
                " (dry run)" if dry_run else "")
    return report


def _destroy_one(patient_id: int, now: datetime) -> Due | None:
    """``_destroy``; a person whose records another record still points to (a screening shared with someone else) is
    kept, rolled back and logged by id, and the others are still destroyed."""
    try:
        return _destroy(patient_id, now)
    except IntegrityError:
        db.session.rollback()
        logger.warning("retention: the records of patient %s are still referred to; kept", patient_id)
        return None


def _destroy(patient_id: int, now: datetime) -> Due | None:
    """Destroy the person's records if, locked and read again, their date has still come and no hold keeps them;
    the person as destroyed, or None when they are kept (a hold put, a visit booked or the person gone meanwhile)."""
    kept = db.session.get(Patient, patient_id)
    if kept is None:  # gone meanwhile
        db.session.rollback()
        return None
    lock(kept)
    name, person = kept.name, people.records_of(kept)
    for record in person.patients:
        lock(record)
    rule = _rule_of(person.patients, now, _last_services(now, person.patient_ids))
    hold = _hold(person.patients)
    if hold is not None or not rule.due(_local_date(now)):
        db.session.rollback()
        return None
    db.session.execute(update(WaitlistOpening).where(WaitlistOpening.filled_entry_id.in_(
        [entry.id for entry in person.waitlist_entries])).values(filled_entry_id=None))
    for record in person.patients:
        record.merged_into_id = None
    db.session.flush()
    for kind in DESTRUCTION_ORDER:
        for row in reversed(getattr(person, kind.field)):
            db.session.delete(row)
        db.session.flush()
    joined = [str(record.id) for record in person.patients[1:]]
    audit.record("destroyed", "patient", patient_id,
                 f"rule: {rule.rule}" + (f"; records joined into it: {', '.join(joined)}" if joined else ""), at=now)
    db.session.commit()
    return Due(patient_id, name, rule)
