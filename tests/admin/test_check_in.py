"""Checking a patient in from the today page or the visit's page: back where it was done, to the notice saying what
happened; the mark undone the same way; a refusal said in words, nothing changed; ``next`` only ever a path of this
site. (The service's rules: tests/services/test_check_in.py.)"""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Appointment
from tests.factories import local
from tests.staff.therapist_pages import massage_therapist, visit
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary
TEN = local(2026, 12, 2, 10)
clinic, admin_user, admin = clinic_with_admin(NOW)


def visit_of(starts_at: datetime = TEN, **fields: object) -> Appointment:
    return visit(massage_therapist(), starts_at, name="Avery Singh", **fields)  # type: ignore[arg-type]


def arrived_at(appointment: Appointment) -> datetime | None:
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored is not None
    return stored.checked_in_at


def notice(page: str) -> str:
    """The text of the page's notice (its flashed messages), which takes the focus when the address names it."""
    return html.unescape(page.split('id="notice" tabindex="-1">', 1)[1].split("</div>", 1)[0])


def test_checking_in_from_the_today_page_and_undoing_it_there(admin: FlaskClient) -> None:
    appointment = visit_of()
    path = f"/admin/appointments/{appointment.id}/check-in"
    response = admin.post(path, data={"next": "/admin/today"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/today#notice"
    assert arrived_at(appointment) == NOW
    page = admin.get("/admin/today").get_data(as_text=True)
    assert "Avery Singh is checked in: arrived at 9:40 a.m. MST." in notice(page)
    assert "Arrived at 9:40 a.m." in page and "Undo check-in" in page
    response = admin.post(path, data={"next": "/admin/today", "undo": "1"})
    assert response.headers["Location"] == "/admin/today#notice" and arrived_at(appointment) is None
    page = admin.get("/admin/today").get_data(as_text=True)
    assert "Avery Singh's check-in is undone: not arrived yet." in notice(page)
    assert "Undo check-in" not in page and "Check in<span" in page


def test_checking_in_from_the_visits_page(admin: FlaskClient) -> None:
    appointment = visit_of()
    page = admin.get(f"/admin/appointments/{appointment.id}").get_data(as_text=True)
    assert "<dt>Arrived</dt><dd>Not yet" in page and 'name="next"' not in page
    response = admin.post(f"/admin/appointments/{appointment.id}/check-in")
    assert response.headers["Location"] == f"/admin/appointments/{appointment.id}#notice"
    page = admin.get(f"/admin/appointments/{appointment.id}").get_data(as_text=True)
    assert "Avery Singh is checked in" in notice(page)
    assert "<dt>Arrived</dt><dd>At 9:40 a.m. MST" in page and "Undo check-in" in page


@pytest.mark.parametrize(("fields", "refusal"), [
    ({"starts_at": local(2026, 12, 3, 10)},
     "This visit is on Thursday December 3, not today: a patient is checked in on the day of their visit."),
    ({"status": "cancelled"}, "This visit was cancelled, so Avery Singh cannot be checked in."),
])
def test_a_visit_that_cannot_be_checked_in_offers_no_button_and_a_stale_one_is_refused(
        admin: FlaskClient, fields: dict[str, object], refusal: str) -> None:
    appointment = visit_of(**fields)  # type: ignore[arg-type]
    page = admin.get(f"/admin/appointments/{appointment.id}").get_data(as_text=True)
    assert "check-in" not in page and "<dt>Arrived</dt>" not in page
    response = admin.post(f"/admin/appointments/{appointment.id}/check-in", data={"next": "/admin/today"},
                          follow_redirects=True)
    assert response.status_code == 200 and refusal in notice(response.get_data(as_text=True))
    assert arrived_at(appointment) is None


def test_a_completed_visit_still_says_when_its_patient_arrived(admin: FlaskClient) -> None:
    appointment = visit_of(local(2026, 12, 2, 8), status="completed", checked_in_at=local(2026, 12, 2, 7, 55))
    page = admin.get(f"/admin/appointments/{appointment.id}").get_data(as_text=True)
    assert "<dt>Arrived</dt><dd>At 7:55 a.m. MST" in page and "check-in" not in page


@pytest.mark.parametrize("target", ["https://evil.example/admin/today", "//evil.example/admin/today",
                                    "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "javascript:alert(1)",
                                    "admin/today", "/admin/today#elsewhere"])
def test_next_is_only_ever_a_path_of_this_site(admin: FlaskClient, target: str) -> None:
    appointment = visit_of()
    response = admin.post(f"/admin/appointments/{appointment.id}/check-in", data={"next": target})
    expected = "/admin/today" if target.startswith("/admin/") else f"/admin/appointments/{appointment.id}"
    assert response.headers["Location"] == f"{expected}#notice"


@pytest.mark.parametrize("path", ["/admin/appointments/00000000-0000-0000-0000-000000000000/check-in",
                                  "/admin/appointments/not-a-visit/check-in"])
def test_an_unknown_visit_is_not_found(admin: FlaskClient, path: str) -> None:
    assert admin.post(path).status_code == 404
