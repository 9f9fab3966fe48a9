"""Loading calendars from the database and searching open times, on both databases."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import text

from booking.clinic.settings import forget
from booking.extensions import db
from booking.models import ClinicSettings, TherapistQualification, TimeOff
from booking.scheduling import Blocks, Interval, Slot, SlotSearchError, TherapistCalendar
from booking.services.visits import calendars as calendar_queries
from booking.services.visits.availability import calendars_on_day, search_slots
from booking.services.visits.calendars import load_calendars, window
from tests.factories import CLINIC_ZONE, AppointmentFactory, Clinic, TherapistFactory, local
from tests.reference import kept_in_process
from tests.staff.therapist_pages import counted_queries

NOW = local(2026, 11, 30, 8)
WEDNESDAY = date(2026, 12, 2)


def starts(slots: list[Slot]) -> list[time]:
    """The local wall-clock start times of slots."""
    return [slot.starts_at.astimezone(CLINIC_ZONE).time() for slot in slots]


def spans(intervals: Sequence[Interval]) -> list[tuple[datetime, datetime]]:
    """Intervals as (start, end) pairs."""
    return [(span.start, span.end) for span in intervals]


def test_a_booking_its_buffer_and_time_off_are_not_offered(clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    AppointmentFactory(therapist=therapist, service=clinic.massage, starts_at=local(2026, 12, 2, 10))
    AppointmentFactory(therapist=therapist, service=clinic.massage, starts_at=local(2026, 12, 2, 14),
                       status="cancelled")
    db.session.add(TimeOff(therapist_id=therapist.id, starts_at=local(2026, 12, 2, 16),
                           ends_at=local(2026, 12, 2, 20), reason="course"))
    db.session.commit()
    offered = starts(search_slots(clinic.massage, WEDNESDAY, WEDNESDAY, therapist_id=therapist.id, now=NOW))
    assert time(8, 45) in offered and time(9) not in offered      # 08:45 + 60 + 15 touches 10:00
    assert time(10, 45) not in offered and time(11, 15) in offered  # the buffer until 11:15
    assert time(14) in offered                                    # a cancelled visit frees its time
    assert time(14, 45) in offered and time(15) not in offered    # time off from 16:00


def test_hours_apply_between_their_dates(clinic: Clinic) -> None:
    therapist = TherapistFactory(hours=[(2, time(9), time(12))])
    therapist.hours[0].valid_from = date(2026, 12, 9)
    db.session.commit()
    assert search_slots(clinic.physio, WEDNESDAY, WEDNESDAY, therapist_id=therapist.id, now=NOW) == []
    later = search_slots(clinic.physio, date(2026, 12, 9), date(2026, 12, 9), therapist_id=therapist.id, now=NOW)
    assert starts(later)[0] == time(9) and starts(later)[-1] == time(11)


def test_first_available_gives_one_slot_per_start(clinic: Clinic) -> None:
    slots = search_slots(clinic.physio, WEDNESDAY, WEDNESDAY, now=NOW)
    assert len(slots) == len({slot.starts_at for slot in slots}) == 45  # 08:00 to 19:00 every 15 minutes
    assert {slot.therapist_id for slot in slots} <= {t.id for t in clinic.physiotherapists}


@pytest.mark.parametrize(("date_to", "therapist", "field"), [
    (WEDNESDAY - timedelta(days=1), None, "to"),
    (WEDNESDAY + timedelta(days=31), None, "to"),
    (WEDNESDAY, "massage", "therapist_id"),
    (WEDNESDAY, "unknown", "therapist_id"),
])
def test_bad_searches_are_refused(clinic: Clinic, date_to: date, therapist: str | None, field: str) -> None:
    therapist_id = {None: None, "massage": clinic.massage_therapists[0].id, "unknown": 999_999}[therapist]
    with pytest.raises(SlotSearchError) as caught:
        search_slots(clinic.physio, WEDNESDAY, date_to, therapist_id=therapist_id, now=NOW)
    assert list(caught.value.errors) == [field]


def test_a_search_issues_the_same_few_queries_however_many_appointments(clinic: Clinic) -> None:
    def search() -> int:
        db.session.commit()
        assert clinic.physio.duration  # the test's service read afresh after its commit, as a view gets it
        with counted_queries() as statements:
            search_slots(clinic.physio, WEDNESDAY, WEDNESDAY + timedelta(days=13), now=NOW)
        return len(statements)

    kept_in_process()
    search()  # reads the settings and closed days, which the process then keeps
    empty = search()
    for therapist in clinic.physiotherapists:
        for day in range(14):
            for hour in (8, 10, 12, 14, 16):
                AppointmentFactory(therapist=therapist, service=clinic.physio,
                                   starts_at=local(2026, 12, 2, hour) + timedelta(days=day))
    assert search() == empty == 1  # the calendars in one query, whatever the count; the rules are kept


def test_every_therapist_s_calendar_loads_in_one_query(clinic: Clinic) -> None:
    first, second = clinic.massage_therapists
    shiftless = TherapistFactory(therapy_type="massage", hours=[])
    AppointmentFactory(therapist=first, service=clinic.massage, starts_at=local(2026, 12, 2, 10))
    db.session.add(TimeOff(therapist_id=second.id, starts_at=local(2026, 12, 2, 16), ends_at=local(2026, 12, 2, 20)))
    db.session.commit()
    span = window(clinic.massage, WEDNESDAY, WEDNESDAY)  # the service read again after the commit
    with counted_queries() as statements:
        calendars = load_calendars("massage", span)
    assert len(statements) == 1
    assert [c.therapist_id for c in calendars] == [first.id, second.id, shiftless.id]
    assert [spans(c.busy) for c in calendars] == [[(local(2026, 12, 2, 10), local(2026, 12, 2, 11, 15))], [], []]
    assert [spans(c.time_off) for c in calendars] == [[], [(local(2026, 12, 2, 16), local(2026, 12, 2, 20))], []]
    assert [len(c.hours) for c in calendars] == [7, 7, 0]


def test_back_to_back_bookings_block_their_time_as_one_span(clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    visits = [AppointmentFactory(therapist=therapist, service=clinic.massage,
                                 starts_at=local(2026, 12, 2, 10) + k * timedelta(minutes=75))
              for k in range(3)]  # 10:00-13:45 with the buffers
    offered = starts(search_slots(clinic.massage, WEDNESDAY, WEDNESDAY, therapist_id=therapist.id, now=NOW))
    assert time(8, 45) in offered and not {time(9), time(11), time(12, 30)} & set(offered)
    assert time(13, 45) in offered
    [whole] = calendars_on_day(clinic.massage, visits[1].starts_at, therapist_id=therapist.id)
    assert spans(whole.busy) == [(local(2026, 12, 2, 10), local(2026, 12, 2, 13, 45))]
    middle = calendars_on_day(clinic.massage, visits[1].starts_at, therapist_id=therapist.id, exclude=visits[1].id)
    assert spans(middle[0].busy) == [
        (local(2026, 12, 2, 10), local(2026, 12, 2, 11, 15)),
        (local(2026, 12, 2, 12, 30), local(2026, 12, 2, 13, 45))]


def test_slots_follow_the_clinic_opening_hours_in_its_settings(clinic: Clinic) -> None:
    settings = db.session.get(ClinicSettings, 1)
    settings.opening_hours = [["12:00", "14:00"]] * 7
    db.session.commit()
    forget()
    offered = starts(search_slots(clinic.physio, WEDNESDAY, WEDNESDAY,
                                  therapist_id=clinic.physiotherapists[0].id, now=NOW))
    assert offered == [time(12), time(12, 15), time(12, 30), time(12, 45), time(13)]


def test_a_calendar_holds_the_shifts_bookings_and_time_off_of_its_days(clinic: Clinic) -> None:
    therapist = TherapistFactory(therapy_type="massage", hours=[(2, time(13), time(17)), (2, time(8), time(12)),
                                                               (3, time(8), time(12))])
    therapist.hours[1].valid_to = date(2026, 12, 1)  # ended the day before: not loaded
    therapist.hours[2].valid_from = date(2026, 12, 2)
    book = {"therapist": therapist, "service": clinic.massage}  # 60 minutes and a 15-minute buffer
    night = AppointmentFactory(**book, starts_at=local(2026, 12, 1, 23, 30))  # its buffer reaches past midnight
    first, second, moved = (AppointmentFactory(**book, starts_at=local(2026, 12, 2, 9) + k * timedelta(minutes=75))
                            for k in range(3))
    AppointmentFactory(**book, starts_at=local(2026, 12, 2, 15), status="cancelled")
    AppointmentFactory(**book, starts_at=local(2026, 12, 3, 8))  # the next day, past the reach of a visit
    db.session.add_all([TimeOff(therapist_id=therapist.id, starts_at=local(2026, 12, 2, 16),
                                ends_at=local(2026, 12, 2, 18)),
                        TimeOff(therapist_id=therapist.id, starts_at=local(2026, 12, 1, 12),
                                ends_at=local(2026, 12, 2, 8))])
    db.session.commit()
    span = window(clinic.massage, WEDNESDAY, WEDNESDAY)
    [calendar] = load_calendars("massage", span, therapist_id=therapist.id, exclude=moved.id)
    assert [(shift.weekday, shift.start, shift.end, shift.valid_from) for shift in calendar.hours] == [
        (2, time(13), time(17), None), (3, time(8), time(12), date(2026, 12, 2))]
    assert calendar.busy == Blocks([(night.starts_at, night.blocked_until), (first.starts_at, second.blocked_until)])
    assert spans(calendar.time_off) == [(local(2026, 12, 1, 12), local(2026, 12, 2, 8)),
                                        (local(2026, 12, 2, 16), local(2026, 12, 2, 18))]


def test_postgresql_arrays_give_the_calendars_the_rows_give(clinic: Clinic, monkeypatch: pytest.MonkeyPatch) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the arrays are PostgreSQL's; other databases read the rows")
    rng = random.Random(15)
    therapists = [*clinic.massage_therapists, TherapistFactory(therapy_type="massage", hours=[])]
    therapists[1].trained.append(TherapistQualification(code="prenatal_massage"))
    therapists[0].hours[3].valid_to = date(2026, 12, 3)
    visits = []
    for therapist in therapists:
        start = local(2026, 12, 1, 20)
        while start < local(2026, 12, 6, 2):
            start += timedelta(minutes=rng.choice([0, 0, 15, 30, 120]))
            visits.append(AppointmentFactory(therapist=therapist, service=clinic.massage, starts_at=start,
                                             status=rng.choice(["booked", "booked", "completed", "cancelled"])))
            start += timedelta(minutes=75)
        db.session.add(TimeOff(therapist_id=therapist.id, starts_at=local(2026, 12, 3, rng.randrange(24)),
                               ends_at=local(2026, 12, 4, rng.randrange(24))))
    db.session.commit()
    span = window(clinic.massage, WEDNESDAY, date(2026, 12, 5))
    searches = [{}, {"exclude": rng.choice(visits).id}, {"therapist_id": therapists[0].id},
                {"cautions": ["pregnancy"]}]

    def loaded() -> list[list[TherapistCalendar]]:
        return [load_calendars("massage", span, **search) for search in searches]

    arrays = loaded()
    monkeypatch.setattr(calendar_queries, "_reads_arrays", lambda: False)
    assert loaded() == arrays
    assert [len(calendars) for calendars in arrays] == [3, 3, 1, 1]
    assert sum(len(calendar.busy) for calendar in arrays[0]) > 20


def test_postgresql_sessions_read_instants_in_utc(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores instants as UTC text")
    assert db.session.scalar(text("SHOW TimeZone")) == "UTC"
    assert db.session.scalar(text("SELECT now()")).tzinfo is UTC  # the driver's own: nothing to convert
