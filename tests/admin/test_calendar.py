"""The admins' calendar: the clinic's day across therapists and a therapist's week, as a front desk uses them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from flask.testing import FlaskClient

from booking.extensions import db
from booking.forms.visits import format_start
from booking.models import AuditEvent, ClinicClosure, TimeOff
from tests.factories import AppointmentFactory, Clinic, PatientFactory, ScreeningFactory, local
from tests.staff.therapist_pages import CAUTION_ANSWERS, CAUTION_TEXT
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 12, 2, 10, 20)  # a Wednesday morning in Calgary

clinic, admin_user, admin = clinic_with_admin(NOW)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def table(page: str) -> str:
    """The grid's table (the page also lists the visits for phones)."""
    return page.split('<table class="grid', 1)[1].split("</table>", 1)[0]


def blocks(page: str) -> list[str]:
    """The grid's visit blocks, one HTML fragment each, in row order."""
    return re.findall(r'<td rowspan="\d+" id="visit-[^"]+" class="grid-visit .*?</td>', table(page), re.S)


def test_the_day_has_a_column_per_therapist_working_with_each_visit_a_block_sized_by_its_duration(
        admin: FlaskClient, clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    AppointmentFactory(therapist=therapist, service=clinic.massage, patient=PatientFactory(name="Avery Singh"),
                       screening=ScreeningFactory(answers=dict(CAUTION_ANSWERS)), starts_at=local(2026, 12, 2, 9))
    page = admin.get("/admin/calendar").get_data(as_text=True)
    heads = re.findall(r'<th scope="col" class="grid-head[^"]*"><a href="([^"]+)">([^<]+)<', table(page))
    assert len(heads) == 4 and therapist.name in [name for _href, name in heads]
    assert f"/admin/calendar/week?therapist={therapist.id}&amp;day=2026-12-02" in [href for href, _name in heads]
    (block,) = blocks(page)
    assert block.startswith('<td rowspan="4"') and 'data-status="booked"' in block
    assert "grid-visit--massage" in block and "9:00 a.m. – 10:00 a.m." in block and "Avery Singh" in block
    assert "Massage therapy (60 minutes)" in block and "Booked" in block and "Caution" in block
    assert CAUTION_TEXT not in page  # the mark only; the cautions themselves are on the visit's page
    visit = db.session.scalars(db.select(AppointmentFactory._meta.model)).one()
    assert f'href="/admin/appointments/{visit.id}"' in block


def test_a_free_time_links_to_booking_a_caller_with_that_therapist_and_time(admin: FlaskClient,
                                                                           clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    page = admin.get(f"/admin/calendar?therapist={therapist.id}").get_data(as_text=True)
    start = format_start(local(2026, 12, 2, 14, 15))
    cell = re.search(rf'<td class="grid-free" data-therapist="{therapist.id}" data-start="{start}">.*?</td>',
                     table(page), re.S)
    assert cell is not None
    assert f'href="/admin/book?therapist={therapist.id}&amp;start={start}"' in cell.group()
    assert f"Book with {therapist.name} at 2:15 p.m." in cell.group()


def test_time_off_and_a_closed_day_are_shaded_with_their_labels_and_now_is_marked(admin: FlaskClient,
                                                                                  clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    db.session.add_all([TimeOff(therapist_id=therapist.id, starts_at=local(2026, 12, 2, 12),
                                ends_at=local(2026, 12, 2, 13), reason="Course"),
                        ClinicClosure(day=local(2026, 12, 3, 0).date(), label="Staff training")])
    db.session.commit()
    page = admin.get(f"/admin/calendar?therapist={therapist.id}").get_data(as_text=True)
    assert '<td rowspan="4" class="grid-off"><span class="grid-off-label">Time off: Course</span></td>' in page
    now_row = re.search(r'<tr class="grid-row grid-row--now">\s*<th scope="row" class="grid-time">([^<]+)<', page)
    assert now_row is not None and now_row.group(1).strip() == "10:15 a.m."
    closed = admin.get(f"/admin/calendar?day=2026-12-03&therapist={therapist.id}").get_data(as_text=True)
    assert "Clinic closed: Staff training" in closed and "grid-row--now" not in closed


def test_a_pair_is_linked_both_ways(admin: FlaskClient, clinic: Clinic) -> None:
    screening = clinic.screenings["combined"]
    patient = PatientFactory(name="Morgan Fraser")
    massage = AppointmentFactory(therapist=clinic.massage_therapists[0], service=clinic.massage, patient=patient,
                                 screening=screening, starts_at=local(2026, 12, 2, 9))
    physio = AppointmentFactory(therapist=clinic.physiotherapists[0], service=clinic.physio, patient=patient,
                                screening=screening, starts_at=local(2026, 12, 2, 10))
    page = admin.get("/admin/calendar").get_data(as_text=True)
    first, second = blocks(page)
    massage_name, physio_name = clinic.massage_therapists[0].name, clinic.physiotherapists[0].name
    assert f'href="#visit-{physio.id}">Pair: physiotherapy with {physio_name} after, 10:00 a.m.</a>' in first
    assert f'href="#visit-{massage.id}">Pair: massage therapy with {massage_name} before, 9:00 a.m.</a>' in second
    phone = page.split('<div class="grid-lists">', 1)[1]  # the same link between the phone's list items
    assert f'<li id="list-visit-{massage.id}"' in phone and f'href="#list-visit-{physio.id}">Pair:' in phone


def test_quick_moves_a_chosen_set_and_a_week(admin: FlaskClient, clinic: Clinic) -> None:
    chosen = sorted([clinic.physiotherapists[1].id, clinic.massage_therapists[0].id])
    query = "&".join(f"therapist={one}" for one in chosen)
    page = admin.get(f"/admin/calendar?day=2026-12-10&{query}").get_data(as_text=True)
    assert "Thursday December 10, 2026" in page and len(re.findall(r'class="grid-head ', table(page))) == 2
    assert f'/admin/calendar?day=2026-12-09&amp;{query.replace("&", "&amp;")}' in page
    assert f'/admin/calendar?day=2026-12-11&amp;{query.replace("&", "&amp;")}' in page
    assert 'checked>' in page and 'type="date" id="day" name="day" value="2026-12-10"' in page
    week = admin.get(f"/admin/calendar/week?therapist={chosen[0]}&day=2026-12-10").get_data(as_text=True)
    assert "Monday December 7, 2026 to Sunday December 13" in week
    assert len(re.findall(r'class="grid-head ', table(week))) == 7
    assert f"/admin/calendar/week?day=2026-11-30&amp;therapist={chosen[0]}" in week
    assert '<a href="/admin/calendar?day=2026-12-08">Tue Dec 8</a>' in week


def test_each_view_with_visits_is_audited_once(admin: FlaskClient, clinic: Clinic) -> None:
    AppointmentFactory(therapist=clinic.massage_therapists[0], service=clinic.massage,
                       starts_at=local(2026, 12, 2, 9))
    admin.get("/admin/calendar")
    admin.get(f"/admin/calendar/week?therapist={clinic.massage_therapists[0].id}")
    rows = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(row.action, row.subject_type, row.subject_id, row.detail) for row in rows] == [
        ("viewed", "calendar", "2026-12-02", "day"),
        ("viewed", "calendar", str(clinic.massage_therapists[0].id), "week 2026-11-30")]


@pytest.mark.parametrize(("query", "status", "message"), [
    ("day=2026-02-30", 400, "YYYY-MM-DD"), ("day=0001-01-01", 400, "Choose a day between"),
    ("therapist=abc", 400, "Choose therapists from the list"), ("therapist=" + "9" * 40, 400, "Choose therapists"),
    ("therapist=-1", 400, "Choose therapists"), ("&".join(["therapist=1"] * 61), 400, "Choose at most 60 therapists"),
])
def test_a_day_or_therapist_that_cannot_be_read_gets_a_clear_message(admin: FlaskClient, clinic: Clinic, query: str,
                                                                     status: int, message: str) -> None:
    response = admin.get(f"/admin/calendar?{query}")
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_a_week_needs_a_therapist_who_exists(admin: FlaskClient, clinic: Clinic) -> None:
    assert "Choose a therapist" in admin.get("/admin/calendar/week").get_data(as_text=True)
    assert admin.get("/admin/calendar/week?therapist=999999").status_code == 404


def test_a_patient_checked_in_shows_as_arrived_and_the_admin_grid_loads_the_drag_script(admin: FlaskClient,
                                                                                       clinic: Clinic) -> None:
    therapist = clinic.massage_therapists[0]
    early = AppointmentFactory(therapist=therapist, service=clinic.massage, patient=PatientFactory(name="Avery Singh"),
                               starts_at=local(2026, 12, 2, 11))
    AppointmentFactory(therapist=therapist, service=clinic.massage, patient=PatientFactory(name="Blair Moss"),
                       starts_at=local(2026, 12, 2, 13))
    answer = admin.post(f"/admin/appointments/{early.id}/check-in", data={"next": "/admin/calendar"})
    assert answer.status_code == 303
    page = admin.get(f"/admin/calendar?therapist={therapist.id}").get_data(as_text=True)
    arrived, waiting = blocks(page)
    assert "Avery Singh" in arrived and "Booked, arrived" in arrived
    assert "Blair Moss" in waiting and "arrived" not in waiting
    assert '<script src="/static/js/calendar.js" defer></script>' in page
