"""The front desk's check-in: an admin marks a booked visit's patient arrived today, or takes the mark back, audited;
any other visit is refused with the reason, and nothing is stored. (Who may: tests/services/test_service_access.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, StaffUser
from booking.services.visits import ChangeNotAllowed
from booking.services.visits.check_in import open_for_check_in, set_arrived
from tests.factories import Clinic, StaffUserFactory, local
from tests.staff.therapist_pages import massage_therapist, visit

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary


@pytest.fixture
def admin(clinic: Clinic) -> Iterator[StaffUser]:
    with time_machine.travel(NOW, tick=False):
        yield StaffUserFactory(admin=True)


def booked(starts_at: object = NOW + timedelta(minutes=20), **fields: object) -> Appointment:
    """A massage visit, booked for ten o'clock this morning unless told otherwise."""
    return visit(massage_therapist(), starts_at, name="Avery Singh", **fields)  # type: ignore[arg-type]


def audit_details(appointment: Appointment) -> list[str | None]:
    return list(db.session.scalars(select(AuditEvent.detail).where(AuditEvent.subject_id == str(appointment.id))
                                   .order_by(AuditEvent.id)))


def test_an_admin_checks_a_patient_in_and_undoes_it_each_audited(admin: StaffUser) -> None:
    appointment = booked()
    assert open_for_check_in(appointment)
    set_arrived(appointment, True, by_staff=admin)
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).checked_in_at == NOW  # type: ignore[union-attr]
    set_arrived(appointment, False, by_staff=admin)
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored is not None and stored.checked_in_at is None and stored.sequence == 0 and stored.status == "booked"
    assert audit_details(appointment) == ["checked in", "check-in undone"]
    actors = set(db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.subject_id == str(appointment.id))))
    assert actors == {admin.id}


def test_a_patient_is_checked_in_any_time_of_their_visits_day_in_the_clinics_zone(admin: StaffUser) -> None:
    late_tonight = booked(local(2026, 12, 2, 23, 30))  # the next day in UTC already
    set_arrived(late_tonight, True, by_staff=admin)
    assert late_tonight.checked_in_at == NOW


@pytest.mark.parametrize(("starts_at", "day"), [(local(2026, 12, 3, 10), "Thursday December 3"),
                                                (local(2026, 12, 1, 16), "Tuesday December 1")])
def test_a_visit_of_another_day_is_refused(admin: StaffUser, starts_at: object, day: str) -> None:
    appointment = booked(starts_at)
    assert not open_for_check_in(appointment)
    with pytest.raises(ChangeNotAllowed) as refusal:
        set_arrived(appointment, True, by_staff=admin)
    assert refusal.value.message == (f"This visit is on {day}, not today: "
                                     "a patient is checked in on the day of their visit.")
    assert appointment.checked_in_at is None and audit_details(appointment) == []


@pytest.mark.parametrize(("status", "arrived", "message"), [
    ("cancelled", True, "This visit was cancelled, so Avery Singh cannot be checked in."),
    ("no_show", True, "This visit was missed, so Avery Singh cannot be checked in."),
    ("completed", False, "This visit has taken place, so Avery Singh's check-in cannot be undone."),
])
def test_a_visit_that_is_not_booked_is_refused(admin: StaffUser, status: str, arrived: bool, message: str) -> None:
    appointment = booked(status=status, checked_in_at=None if arrived else NOW - timedelta(minutes=50))
    assert not open_for_check_in(appointment)
    with pytest.raises(ChangeNotAllowed) as refusal:
        set_arrived(appointment, arrived, by_staff=admin)
    assert refusal.value.message == message
    assert audit_details(appointment) == []


def test_checking_in_twice_or_undoing_what_was_not_done_is_refused(admin: StaffUser) -> None:
    appointment = booked(checked_in_at=NOW - timedelta(minutes=5))
    with pytest.raises(ChangeNotAllowed) as twice:
        set_arrived(appointment, True, by_staff=admin)
    assert twice.value.message == "Avery Singh was already checked in at 9:35 a.m. MST."
    other = booked(NOW + timedelta(hours=2))
    with pytest.raises(ChangeNotAllowed) as nothing:
        set_arrived(other, False, by_staff=admin)
    assert nothing.value.message == "Avery Singh is not checked in: there is nothing to undo."
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).checked_in_at == NOW - timedelta(minutes=5)  # type: ignore[union-attr]
    assert audit_details(appointment) == audit_details(other) == []
