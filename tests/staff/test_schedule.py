"""A therapist's own day and week as a time grid: clinic times (across DST), the cautions marked and the screening
a tap away, navigation, audit."""

from __future__ import annotations

import re

import pytest
import time_machine
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import AuditEvent, StaffUser
from tests.factories import StaffUserFactory, local
from tests.reference import kept_in_process
from tests.staff.therapist_pages import CAUTION_TEXT, counted_queries, massage_service, massage_therapist, visit
from tests.staff_fixtures import WEDNESDAY_MORNING, signed_in

NOW = WEDNESDAY_MORNING


def visits_on_page(page: str) -> list[str]:
    """The grid's visit blocks, one HTML fragment each, in row order (then column order)."""
    grid = page.split('<table class="grid', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td rowspan="\d+" id="visit-[^"]+" class="grid-visit .*?</td>', grid, re.S)


def list_of(page: str, heading: str) -> str:
    """The visits of one column as a phone shows them: the list under its heading."""
    return page.split(f">{heading}</h2>", 1)[1].split("</section>", 1)[0]


def test_today_shows_time_patient_service_status_and_a_caution_marker_with_the_screening_a_tap_away(
        client: FlaskClient, therapist: StaffUser) -> None:
    cautious = visit(therapist, local(2026, 12, 2, 10), caution=True, name="Avery Singh")
    plain = visit(therapist, local(2026, 12, 2, 14), name="Jordan Lee")
    client = signed_in(client, therapist)
    page = client.get("/staff/schedule").get_data(as_text=True)
    first, second = visits_on_page(page)
    assert first.startswith('<td rowspan="4"') and "10:00 a.m. – 11:00 a.m." in first
    assert "Avery Singh" in first and "Massage therapy (60 minutes)" in first
    assert "Booked" in first and "Massage therapy" in first and "grid-visit--massage" in first
    assert "Caution" in first and "⚠" in first
    assert "2:00 p.m. – 3:00 p.m." in second and "Jordan Lee" in second and "Caution" not in second
    assert f'href="/staff/visits/{cautious.id}"' in first and f'href="/staff/visits/{plain.id}"' in second
    screening = client.get(f"/staff/visits/{cautious.id}").get_data(as_text=True)
    assert CAUTION_TEXT in screening
    assert "relax" in client.get(f"/staff/visits/{plain.id}").get_data(as_text=True)  # the reason, in words


def test_only_the_therapists_own_visits_and_not_cancelled_ones(client: FlaskClient, therapist: StaffUser) -> None:
    other = massage_therapist()
    visit(other, local(2026, 12, 2, 10), name="Someone Else")
    visit(therapist, local(2026, 12, 2, 11), name="Cancelled Person", status="cancelled")
    visit(therapist, local(2026, 12, 2, 12), name="Kept Person")
    page = signed_in(client, therapist).get("/staff/schedule").get_data(as_text=True)
    assert "Kept Person" in page
    assert "Someone Else" not in page and "Cancelled Person" not in page


def test_one_audit_row_per_page_view_not_per_visit(client: FlaskClient, therapist: StaffUser) -> None:
    visit(therapist, local(2026, 12, 2, 10), caution=True)
    visit(therapist, local(2026, 12, 2, 12))
    signed_in(client, therapist).get("/staff/schedule?day=2026-12-02")
    rows = db.session.query(AuditEvent).all()
    assert [(row.action, row.subject_type, row.subject_id, row.detail, row.actor_id) for row in rows] == [
        ("viewed", "schedule", str(therapist.therapist_id), "day 2026-12-02", therapist.id)]
    client.get("/staff/schedule?day=2026-11-30&view=week")
    assert db.session.query(AuditEvent).order_by(AuditEvent.id).all()[-1].detail == "week 2026-11-30"


def test_week_view_lists_monday_to_sunday_with_previous_and_next_weeks(client: FlaskClient,
                                                                         therapist: StaffUser) -> None:
    visit(therapist, local(2026, 11, 30, 9), name="Monday Patient")
    visit(therapist, local(2026, 12, 6, 9), name="Sunday Patient")
    visit(therapist, local(2026, 12, 7, 9), name="Next Monday Patient")
    page = signed_in(client, therapist).get("/staff/schedule?day=2026-12-03&view=week").get_data(as_text=True)
    assert "Monday Patient" in page and "Sunday Patient" in page and "Next Monday Patient" not in page
    assert "/staff/schedule?day=2026-11-23&amp;view=week" in page
    assert "/staff/schedule?day=2026-12-07&amp;view=week" in page


def test_day_view_links_the_previous_and_next_day_and_defaults_to_today(client: FlaskClient,
                                                                        therapist: StaffUser) -> None:
    page = signed_in(client, therapist).get("/staff/schedule").get_data(as_text=True)
    assert "Wednesday December 2, 2026" in page
    assert "/staff/schedule?day=2026-12-01&amp;view=day" in page
    assert "/staff/schedule?day=2026-12-03&amp;view=day" in page


def test_week_across_the_end_of_daylight_saving_time_shows_local_times_on_the_right_days(
        client: FlaskClient, therapist: StaffUser) -> None:
    visit(therapist, local(2026, 10, 31, 10), name="Saturday Morning")   # MDT, 16:00 UTC
    visit(therapist, local(2026, 11, 1, 10), name="Sunday Morning")     # MST, 17:00 UTC
    visit(therapist, local(2026, 11, 1, 22, 30), name="Sunday Late")    # MST, 05:30 UTC on Monday
    visit(therapist, local(2026, 11, 2, 0, 30), name="Monday Early")    # MST, 07:30 UTC on Monday
    client = signed_in(client, therapist)
    week = client.get("/staff/schedule?day=2026-11-01&view=week").get_data(as_text=True)
    saturday, sunday = list_of(week, "Saturday October 31"), list_of(week, "Sunday November 1")
    assert "Saturday Morning" in saturday and "10:00 a.m. – 11:00 a.m." in saturday
    assert "Sunday Morning" in sunday and "10:00 a.m. – 11:00 a.m." in sunday
    assert "Sunday Late" in sunday and "10:30 p.m. – 11:30 p.m." in sunday
    assert "Monday Early" not in week
    rows = re.findall(r'<th scope="row" class="grid-time">([^<]+)</th>', week)
    assert rows[0] == "8:00 a.m." and rows[-1] == "11:45 p.m."  # the working hours, widened to the late visit
    day = client.get("/staff/schedule?day=2026-11-01").get_data(as_text=True)
    assert [re.search(r"\d+:\d\d [ap]\.m\. –", item).group() for item in visits_on_page(day)] == [
        "10:00 a.m. –", "10:30 p.m. –"]
    assert "/staff/schedule?day=2026-11-02&amp;view=day" in day
    monday = client.get("/staff/schedule?day=2026-11-02").get_data(as_text=True)
    assert "Monday Early" in monday and "12:30 a.m. – 1:30 a.m." in monday and "Sunday Late" not in monday


@pytest.mark.parametrize("query", ["day=2026-02-30", "day=tomorrow", "day=0001-01-01", "day=9999-12-31",
                                   "day=2026-12-02%00", "view=month", "day=" + "9" * 5000])
def test_a_day_or_view_that_cannot_be_read_gets_a_clear_message(client: FlaskClient, therapist: StaffUser,
                                                                 query: str) -> None:
    response = signed_in(client, therapist).get(f"/staff/schedule?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "YYYY-MM-DD" in page or "Choose a day between" in page or "(view=day) or a week (view=week)" in page


def test_a_week_loads_in_the_same_number_of_queries_whatever_the_number_of_visits(
        client: FlaskClient, therapist: StaffUser) -> None:
    service = massage_service()
    client = signed_in(client, therapist)
    for hour in (8, 10):
        visit(therapist, local(2026, 12, 1, hour), service=service, caution=True)
    kept_in_process()
    client.get("/staff/schedule?day=2026-12-02&view=week")  # the first reads the settings, which the process keeps
    with counted_queries() as few:
        client.get("/staff/schedule?day=2026-12-02&view=week")
    for day in range(2, 7):
        for hour in (8, 10, 12, 14, 16):
            visit(therapist, local(2026, 12, day, hour), service=service, caution=hour == 12)
    with counted_queries() as many:
        page = client.get("/staff/schedule?day=2026-12-02&view=week").get_data(as_text=True)
    assert len(visits_on_page(page)) == 27
    assert len(many) == len(few) <= 12, many


def test_admins_have_no_schedule(client: FlaskClient, clock: time_machine.Coordinates) -> None:
    assert signed_in(client, StaffUserFactory(admin=True)).get("/staff/schedule").status_code == 404
