"""The admins' appointment list: every visit, filtered, paginated, newest first, in clinic time."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from booking.extensions import db
from booking.models import StaffUser
from booking.services.visits.listing import AppointmentFilter, appointment_page
from tests.factories import AppointmentFactory, Clinic, StaffUserFactory, local
from tests.staff_fixtures import signed_in


def listed(page: str) -> list[str]:
    """The patient names of the rows, in order."""
    return re.findall(r'<td data-label="Patient"><a href="/admin/patients/\d+">([^<]+)</a></td>', page)


def visit(clinic: Clinic, name: str, starts_at, *, massage: bool = False, therapist: int = 0, status: str = "booked"):
    service = clinic.massage if massage else clinic.physio
    therapists = clinic.massage_therapists if massage else clinic.physiotherapists
    return AppointmentFactory(patient__name=name, service=service, therapist=therapists[therapist],
                              screening=clinic.screenings["massage" if massage else "physiotherapy"],
                              starts_at=starts_at, status=status)


def test_every_visit_newest_first_in_clinic_time_linked_to_the_visit(admin: FlaskClient, clinic: Clinic) -> None:
    early = visit(clinic, "Early Bird", local(2026, 11, 2, 9))
    visit(clinic, "Late Owl", local(2026, 11, 3, 16, 30))
    page = admin.get("/admin/appointments").get_data(as_text=True)
    assert listed(page) == ["Late Owl", "Early Bird"]
    assert "Tue Nov 3, 2026, 4:30 p.m. MST" in page and "Mon Nov 2, 2026, 9:00 a.m. MST" in page
    assert f'href="/admin/appointments/{early.id}"' in page
    assert admin.get(f"/admin/appointments/{early.id}").status_code == 200


def test_filters_by_day_range_therapist_status_and_therapy(admin: FlaskClient, clinic: Clinic) -> None:
    visit(clinic, "Monday Physio", local(2026, 11, 2, 23, 30))  # 06:30 UTC on the 3rd: still Monday locally
    visit(clinic, "Tuesday Massage", local(2026, 11, 3, 10), massage=True)
    visit(clinic, "Tuesday Other", local(2026, 11, 3, 11), therapist=1, status="cancelled")
    visit(clinic, "Friday Physio", local(2026, 11, 6, 10))
    assert listed(admin.get("/admin/appointments?day=2026-11-02").get_data(as_text=True)) == ["Monday Physio"]
    assert listed(admin.get("/admin/appointments?from_day=2026-11-03&to_day=2026-11-06").get_data(as_text=True)) == [
        "Friday Physio", "Tuesday Other", "Tuesday Massage"]
    other = clinic.physiotherapists[1].id
    assert listed(admin.get(f"/admin/appointments?therapist={other}").get_data(as_text=True)) == ["Tuesday Other"]
    assert listed(admin.get("/admin/appointments?status=cancelled").get_data(as_text=True)) == ["Tuesday Other"]
    assert listed(admin.get("/admin/appointments?therapy_type=massage").get_data(as_text=True)) == [
        "Tuesday Massage"]
    assert listed(admin.get("/admin/appointments?day=2026-11-03&therapy_type=physiotherapy&status=booked")
                  .get_data(as_text=True)) == []


def test_pages_of_fifty(admin: FlaskClient, clinic: Clinic) -> None:
    first = local(2026, 11, 2, 8)
    for n in range(51):
        visit(clinic, f"Patient {n:02d}", first + timedelta(days=n // 4, hours=2 * (n % 4)))
    page = admin.get("/admin/appointments?therapy_type=physiotherapy").get_data(as_text=True)
    assert len(listed(page)) == 50 and listed(page)[0] == "Patient 50"
    assert 'href="/admin/appointments?page=2&amp;therapy_type=physiotherapy"' in page
    second = admin.get("/admin/appointments?page=2&therapy_type=physiotherapy").get_data(as_text=True)
    assert listed(second) == ["Patient 00"] and "Next page" not in second and "Previous page" in second


@pytest.mark.parametrize(("query", "message"), [
    ("day=2026-02-30", "Enter a date like 2026-11-02."),
    ("to_day=9999-12-31", "Enter a date from January 1, 2000 to December 31, 2199."),
    ("from_day=2026-11-05&to_day=2026-11-01", "The end of the range must not be before its start."),
    ("day=2026-11-02&from_day=2026-11-01", "Choose either one day or a date range, not both."),
    ("therapist=99999999999999999999", "Choose one of the therapists listed, or any therapist."),
    ("status=lost", "Choose one of the statuses listed, or any status."),
    ("therapy_type=yoga", "Choose physiotherapy, massage therapy, or any therapy."),
    ("page=0", "Choose a page from 1 to 10000."),
    ("page=" + "9" * 30, "Choose a page from 1 to 10000."),
])
def test_a_bad_filter_is_explained_never_a_500(admin: FlaskClient, clinic: Clinic, query: str, message: str) -> None:
    visit(clinic, "Someone", local(2026, 11, 2, 9))
    response = admin.get(f"/admin/appointments?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert listed(page) == []


@pytest.mark.parametrize("query", ["day=2150-06-01", "from_day=2000-01-01&to_day=2199-12-31"])
def test_the_list_accepts_the_days_every_other_page_accepts(admin: FlaskClient, clinic: Clinic, query: str) -> None:
    response = admin.get(f"/admin/appointments?{query}")
    assert response.status_code == 200 and "There is a problem" not in response.get_data(as_text=True)


def test_a_therapist_gets_404(client: FlaskClient, clinic: Clinic) -> None:
    signed_in(client, StaffUserFactory())
    assert client.get("/admin/appointments").status_code == 404


def test_the_list_is_one_query(app: Flask, clinic: Clinic, admin_user: StaffUser) -> None:
    visit(clinic, "Someone", local(2026, 11, 2, 9))
    therapist_id = clinic.physiotherapists[0].id
    db.session.refresh(admin_user)  # loaded, as a request's signed-in admin is
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = appointment_page(AppointmentFilter(therapist_id=therapist_id), admin_user)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert [row.patient_name for row in page.rows] == ["Someone"] and len(statements) == 1
