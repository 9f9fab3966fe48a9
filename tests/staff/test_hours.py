"""A therapist's hours and time off: a change over booked visits lists them and never drops or moves them."""

from __future__ import annotations

from datetime import time

import pytest
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Appointment, AuditEvent, StaffUser, TimeOff, WorkingHours
from tests.factories import local
from tests.staff.therapist_pages import massage_therapist, visit
from tests.staff_fixtures import WEDNESDAY_MORNING, signed_in

NOW = WEDNESDAY_MORNING
FRIDAY = 4


@pytest.fixture
def friday_visit(therapist: StaffUser) -> Appointment:
    """A booked visit on Friday 2026-12-04, 10:00-11:00 (buffer to 11:15)."""
    return visit(therapist, local(2026, 12, 4, 10), name="Avery Singh")


def friday_shift(user: StaffUser) -> WorkingHours:
    """The therapist's Friday shift."""
    return db.session.query(WorkingHours).filter_by(therapist_id=user.therapist_id, weekday=FRIDAY).one()


def unchanged(appointment: Appointment) -> bool:
    """Whether the visit is still booked at its time with its therapist."""
    starts_at, therapist_id = appointment.starts_at, appointment.therapist_id
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    return (stored.status, stored.starts_at, stored.therapist_id) == ("booked", starts_at, therapist_id)


def assert_listed(page: str) -> None:
    """The page lists the Friday visit: date, time, initials, service."""
    assert "Friday December 4, 2026" in page and "10:00 a.m. MST" in page
    assert "A. S." in page and "Massage therapy (60 minutes)" in page
    assert "Avery Singh" not in page


def test_removing_a_shift_with_a_booked_visit_is_refused_with_the_list(client: FlaskClient, therapist: StaffUser,
                                                                       friday_visit: Appointment) -> None:
    shift = friday_shift(therapist)
    response = signed_in(client, therapist).post(f"/staff/hours/shifts/{shift.id}/remove")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Nothing was changed" in page and "call the patients first" in page
    assert_listed(page)
    assert db.session.get(WorkingHours, shift.id) is not None
    assert unchanged(friday_visit)
    assert db.session.query(AuditEvent).count() == 0


def test_removing_it_anyway_keeps_the_visit_and_lists_it_as_outside_the_hours(
        client: FlaskClient, therapist: StaffUser, friday_visit: Appointment) -> None:
    shift = friday_shift(therapist)
    client = signed_in(client, therapist)
    response = client.post(f"/staff/hours/shifts/{shift.id}/remove", data={"rebook_myself": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(WorkingHours, shift.id) is None
    assert unchanged(friday_visit)
    page = client.get("/staff/hours").get_data(as_text=True)
    assert "1 booked visit(s) are now outside your hours" in page
    assert_listed(page.split('id="outside-hours"')[1])
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.subject_type, event.subject_id) == ("changed", "working hours",
                                                                   str(therapist.therapist_id))
    assert "shift removed: Friday 08:00-20:00" in event.detail and "1 booked visit(s) kept" in event.detail


@pytest.mark.parametrize("start, end, refused", [("08:00", "10:30", True), ("10:30", "20:00", True),
                                                 ("08:00", "11:00", False), ("10:00", "12:00", False)])
def test_shortening_a_shift_is_refused_only_when_it_leaves_a_visit_out(
        client: FlaskClient, therapist: StaffUser, friday_visit: Appointment, start: str, end: str,
        refused: bool) -> None:
    shift = friday_shift(therapist)
    response = signed_in(client, therapist).post(f"/staff/hours/shifts/{shift.id}", data={
        "weekday": str(FRIDAY), "start": start, "end": end})
    db.session.expire_all()
    stored = db.session.get(WorkingHours, shift.id)
    if refused:
        assert response.status_code == 409
        assert_listed(response.get_data(as_text=True))
        assert (stored.start_time, stored.end_time) == (time(8), time(20))
    else:
        assert response.status_code == 303
        assert (stored.start_time.strftime("%H:%M"), stored.end_time.strftime("%H:%M")) == (start, end)
    assert unchanged(friday_visit)


def test_time_off_over_a_booked_visit_is_refused_then_kept_knowingly(client: FlaskClient, therapist: StaffUser,
                                                                     friday_visit: Appointment) -> None:
    client = signed_in(client, therapist)
    form = {"from_day": "2026-12-04", "from_time": "11:00", "until_day": "2026-12-04", "until_time": "13:00",
            "reason": "Course"}
    refused = client.post("/staff/hours/time-off", data=form)  # overlaps the visit's buffer (to 11:15)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert_listed(page)
    assert 'value="Course"' in page and "I will rebook these visits myself" in page
    assert db.session.query(TimeOff).count() == 0
    kept = client.post("/staff/hours/time-off", data={**form, "rebook_myself": "y"})
    assert kept.status_code == 303
    away = db.session.query(TimeOff).one()
    assert (away.starts_at, away.ends_at, away.reason) == (local(2026, 12, 4, 11), local(2026, 12, 4, 13), "Course")
    assert unchanged(friday_visit)
    assert_listed(client.get("/staff/hours").get_data(as_text=True).split('id="outside-hours"')[1])


def test_time_off_elsewhere_whole_days_and_removal(client: FlaskClient, therapist: StaffUser,
                                                   friday_visit: Appointment) -> None:
    client = signed_in(client, therapist)
    response = client.post("/staff/hours/time-off", data={"from_day": "2026-12-07", "until_day": "2026-12-08",
                                                          "reason": "Holiday"})
    assert response.status_code == 303
    away = db.session.query(TimeOff).one()
    assert (away.starts_at, away.ends_at) == (local(2026, 12, 7, 0), local(2026, 12, 9, 0))
    assert "Holiday" in client.get("/staff/hours").get_data(as_text=True)
    assert client.post(f"/staff/hours/time-off/{away.id}/remove").status_code == 303
    assert db.session.query(TimeOff).count() == 0
    assert [event.detail.split(":")[0] for event in db.session.query(AuditEvent).order_by(AuditEvent.id)] == [
        "time off added", "time off removed"]


def test_a_shift_is_added_and_bad_times_are_explained(client: FlaskClient, therapist: StaffUser) -> None:
    client = signed_in(client, therapist)
    response = client.post("/staff/hours/shifts", data={"weekday": "0", "start": "20:30", "end": "22:00",
                                                        "valid_from": "2026-12-01"})
    assert response.status_code == 303
    assert db.session.query(WorkingHours).filter_by(therapist_id=therapist.therapist_id, weekday=0).count() == 2
    backwards = client.post("/staff/hours/shifts", data={"weekday": "1", "start": "17:00", "end": "09:00"})
    assert backwards.status_code == 400 and "must end after it starts" in backwards.get_data(as_text=True)
    unreadable = client.post("/staff/hours/shifts", data={"weekday": "1", "start": "25:00", "end": "09:00"})
    assert unreadable.status_code == 400 and "Enter a time like 09:00" in unreadable.get_data(as_text=True)
    far = client.post("/staff/hours/shifts", data={"weekday": "1", "start": "09:00", "end": "17:00",
                                                   "valid_to": "0001-01-01"})
    assert far.status_code == 400 and "Choose a date between" in far.get_data(as_text=True)


def test_another_therapists_shift_or_time_off_answers_404(client: FlaskClient, therapist: StaffUser) -> None:
    other = massage_therapist()
    shift = friday_shift(other)
    away = TimeOff(therapist_id=other.therapist_id, starts_at=local(2026, 12, 7, 0), ends_at=local(2026, 12, 8, 0))
    db.session.add(away)
    db.session.commit()
    client = signed_in(client, therapist)
    assert client.get(f"/staff/hours/shifts/{shift.id}").status_code == 404
    assert client.post(f"/staff/hours/shifts/{shift.id}/remove", data={"rebook_myself": "y"}).status_code == 404
    assert client.post(f"/staff/hours/time-off/{away.id}/remove").status_code == 404
    assert client.post(f"/staff/hours/shifts/{2**63}/remove").status_code == 404
    db.session.expire_all()
    assert db.session.get(WorkingHours, shift.id) is not None and db.session.get(TimeOff, away.id) is not None
