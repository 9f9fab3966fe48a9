"""In Chromium on a phone (390x844), a tablet (768x1024) and a desktop (1,280x800): the staff pages the front desk
and the therapists live in pass axe's WCAG 2 A and AA rules and do not scroll sideways. The admin's appointments, a
visit, the first step of booking a caller and a patient's page; the therapist's day, week and visit. Each page is
kept as a screenshot (test-artifacts/screenshots)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import ClinicSettings, StaffUser
from booking.services.visits.schedule import clinic_today
from tests.browser import staff_pages
from tests.browser.accessibility import assert_accessible, describe, violations
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import overflow, sign_in, sign_in_admin, snapshot
from tests.factories import StaffUserFactory, open_every_day
from tests.staff.therapist_pages import massage_therapist, visit
from tests.waitlist.records import entry

pytestmark = pytest.mark.browser
size, staff_page = staff_pages.every_size, staff_pages.staff_page  # the fixtures: phone, tablet and desktop pages
SUNDAY = 6


@dataclass(frozen=True)
class Clinic:
    """An admin (email, TOTP secret), a massage therapist's login with a visit today (its patient's record) flagged
    for a caution and another on a day next to it in the same week."""

    admin: str
    secret: str
    therapist: str
    visit_id: str
    patient_id: int


@pytest.fixture
def clinic(live_app: LiveServer, size: str) -> Clinic:
    """The clinic, its people and visits."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        admin: StaffUser = StaffUserFactory(admin=True)
        therapist = massage_therapist()
        day = clinic_today()
        midnight = datetime.combine(day, time(), tzinfo=clinic_zone()).astimezone(UTC)
        today = visit(therapist, max(datetime.now(UTC) - timedelta(minutes=10), midnight), caution=True,
                      name=f"Avery Singh {size}")
        next_to_it = day + timedelta(days=1 if day.weekday() < SUNDAY else -1)
        visit(therapist, datetime.combine(next_to_it, time(12), tzinfo=clinic_zone()), name=f"Noor Haddad {size}")
        entry(today.service, today.screening, datetime.now(UTC) - timedelta(days=2), name=f"Noor Haddad {size}",
              therapist=therapist.therapist)
        db.session.commit()
        return Clinic(admin.email, admin.totp_secret or "", therapist.email, str(today.id), today.patient_id)


def problems(page: Page, pages: dict[str, str]) -> dict[str, str]:
    """The pages (name: path) that axe finds fault with (what it finds) or that scroll sideways (by how much);
    each page is kept as a screenshot on the way."""
    found = {}
    for name, path in pages.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        snapshot(page, name)
        if faults := violations(page):
            found[name] = describe(faults)
        elif wider := overflow(page):
            found[name] = f"scrolls sideways by {wider} px"
    return found


def test_the_admins_pages_are_accessible_and_fit_the_screen(staff_page: Page, clinic: Clinic) -> None:
    sign_in_admin(staff_page, clinic.admin, clinic.secret)
    assert problems(staff_page, {
        "a11y-admin-appointments": "/admin/appointments",
        "a11y-admin-visit": f"/admin/appointments/{clinic.visit_id}",
        "a11y-admin-book-caller": "/admin/book",
        "a11y-admin-patient": f"/admin/patients/{clinic.patient_id}",
        "a11y-admin-waitlist": "/admin/waitlist",
        "a11y-admin-waitlist-openings": "/admin/waitlist/openings"}) == {}

    staff_page.goto("/admin/book")
    staff_page.get_by_role("button", name="Continue").click()  # no concern chosen
    expect(staff_page.locator(".error, [role=alert]").first).to_be_visible()
    snapshot(staff_page, "a11y-admin-book-caller-error")
    assert_accessible(staff_page)


def test_the_therapists_pages_are_accessible_and_fit_the_screen(staff_page: Page, clinic: Clinic) -> None:
    sign_in(staff_page, clinic.therapist)
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("My schedule")
    assert problems(staff_page, {
        "a11y-therapist-day": "/staff/schedule",
        "a11y-therapist-week": "/staff/schedule?view=week",
        "a11y-therapist-visit": f"/staff/visits/{clinic.visit_id}"}) == {}
