"""The appointment book's service: who is shown, what each column holds, two statements whatever the numbers,
and who may read it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine

from booking.extensions import db
from booking.models import ClinicClosure, StaffUser, TimeOff
from booking.policy import Refused
from booking.scheduling.grid import FreeCell, OffCell, VisitCell
from booking.services.visits.appointment_book import clinic_day, therapist_days
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, TherapistFactory, local
from tests.reference import kept_in_process
from tests.staff.therapist_pages import counted_queries, visit

NOW = local(2026, 12, 2, 9)
DAY = date(2026, 12, 2)  # a Wednesday


@pytest.fixture
def admin(clinic: Clinic) -> StaffUser:
    return StaffUserFactory(admin=True)


def off_labels(book_grid: object, index: int) -> list[str]:
    """The labels of a column's off cells, top to bottom."""
    return [cell.reason for row in book_grid.rows if isinstance(cell := row.cells[index], OffCell)]


def test_the_clinics_day_shows_who_works_and_who_holds_a_visit_by_name(clinic: Clinic, admin: StaffUser) -> None:
    idle = TherapistFactory(name="Zed Idle", hours=[(3, time(9), time(17))])  # works Thursdays only
    away = TherapistFactory(name="Aaron Away", hours=[], active=False)
    AppointmentFactory(therapist=away, service=clinic.physio, starts_at=local(2026, 12, 2, 10))
    AppointmentFactory(therapist=clinic.physiotherapists[0], service=clinic.physio, starts_at=local(2026, 12, 2, 11),
                       status="cancelled")
    with time_machine.travel(NOW, tick=False):
        book = clinic_day(DAY, admin)
    names = [column.name for column in book.grid.columns]
    assert names[0] == "Aaron Away" and idle.name not in names and len(names) == 5
    assert len(book.grid.visits) == 1  # the cancelled visit's time is free again
    assert idle.name in [therapist.name for therapist in book.therapists]
    assert (book.previous, book.next) == (date(2026, 12, 1), date(2026, 12, 3))


def test_a_chosen_set_of_therapists_in_name_order(clinic: Clinic, admin: StaffUser) -> None:
    second, first = clinic.massage_therapists[1], clinic.physiotherapists[0]
    with time_machine.travel(NOW, tick=False):
        book = clinic_day(DAY, admin, [second.id, first.id, 999_999])
    assert [column.therapist_id for column in book.grid.columns] == sorted(
        [second.id, first.id], key=lambda one: db.session.get(type(first), one).name)


def test_a_column_has_its_hours_time_off_and_the_clinic_closed_with_their_labels(clinic: Clinic,
                                                                                 admin: StaffUser) -> None:
    therapist = clinic.physiotherapists[0]
    db.session.add_all([TimeOff(therapist_id=therapist.id, starts_at=local(2026, 12, 2, 12),
                                ends_at=local(2026, 12, 2, 13), reason="Course"),
                        ClinicClosure(day=date(2026, 12, 4), label="Staff training")])
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        day = clinic_day(DAY, admin, [therapist.id])
        week = therapist_days(therapist.id, DAY, "week", admin)
    assert day.grid.rows[0].time == time(8) and day.grid.rows[-1].time == time(19, 45)
    assert off_labels(day.grid, 0) == ["Time off: Course"]
    assert day.grid.rows[4].now and isinstance(day.grid.rows[4].cells[0], FreeCell)
    assert [column.day for column in week.grid.columns] == [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]
    assert off_labels(week.grid, 4) == ["Clinic closed: Staff training"]


def test_visits_carry_patient_service_status_and_a_caution_flag(clinic: Clinic, admin: StaffUser) -> None:
    therapist = StaffUserFactory(therapist__therapy_type="massage")
    visit(therapist, local(2026, 12, 2, 10), caution=True, name="Avery Singh")
    visit(therapist, local(2026, 12, 2, 14), name="Jordan Lee")
    with time_machine.travel(NOW, tick=False):
        book = therapist_days(therapist.therapist_id, DAY, "day", therapist)
    first, second = (cell.visit for cell in book.grid.visits)
    assert (first.patient_name, first.service_name, first.therapy_type, first.status.label, first.caution) == (
        "Avery Singh", "Massage therapy (60 minutes)", "massage", "Booked", True)
    assert (second.patient_name, second.caution) == ("Jordan Lee", False)


def test_two_statements_whatever_the_number_of_therapists_and_visits(clinic: Clinic, admin: StaffUser) -> None:
    db.session.refresh(admin)
    with time_machine.travel(NOW, tick=False):
        kept_in_process()
        clinic_day(DAY, admin)  # the first reads the settings, which the process keeps
        with counted_queries() as few:
            clinic_day(DAY, admin)
        for therapist in [*clinic.physiotherapists, *clinic.massage_therapists]:
            for hour in (9, 11, 13, 15):
                service = clinic.physio if therapist.therapy_type == "physiotherapy" else clinic.massage
                AppointmentFactory(therapist=therapist, service=service, starts_at=local(2026, 12, 2, hour))
        db.session.add(TimeOff(therapist_id=clinic.physiotherapists[0].id, starts_at=local(2026, 12, 2, 17),
                               ends_at=local(2026, 12, 2, 18)))
        db.session.commit()
        db.session.refresh(admin)
        therapist_id = clinic.physiotherapists[0].id
        with counted_queries() as many:
            book = clinic_day(DAY, admin)
        with counted_queries() as week:
            therapist_days(therapist_id, DAY, "week", admin, everyone=True)
    assert len(book.grid.visits) == 16
    assert len(few) == len(many) == len(week) == 2, many


def test_the_clinics_day_is_an_admins_and_a_therapists_days_theirs_or_an_admins(clinic: Clinic,
                                                                               admin: StaffUser) -> None:
    own, other = StaffUserFactory(), StaffUserFactory()
    with pytest.raises(Refused):
        clinic_day(DAY, own)
    with pytest.raises(Refused):
        therapist_days(other.therapist_id, DAY, "week", own)
    assert therapist_days(own.therapist_id, DAY, "week", own) is not None
    assert therapist_days(other.therapist_id, DAY, "day", admin) is not None
    assert therapist_days(999_999, DAY, "day", admin) is None


def test_a_pair_on_the_clinics_day_is_linked(clinic: Clinic, admin: StaffUser) -> None:
    screening = clinic.screenings["combined"]
    massage = AppointmentFactory(therapist=clinic.massage_therapists[0], service=clinic.massage, screening=screening,
                                 starts_at=local(2026, 12, 2, 9))
    physio = AppointmentFactory(therapist=clinic.physiotherapists[0], service=clinic.physio, screening=screening,
                                patient=massage.patient, starts_at=local(2026, 12, 2, 10))
    with time_machine.travel(NOW, tick=False):
        book = clinic_day(DAY, admin)
    partners = {cell.visit.id: cell.partner.id for cell in book.grid.visits if isinstance(cell, VisitCell)
                and cell.partner}
    assert partners == {massage.id: physio.id, physio.id: massage.id}
