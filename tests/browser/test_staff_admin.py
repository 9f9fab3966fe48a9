"""In Chromium, phone and desktop: an admin signs in with TOTP, closes Saturdays and sees the home page and the
patients' times follow, then books a visit for a phone caller."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, ClinicSettings, StaffUser
from booking.services.visits.schedule import clinic_today
from tests.browser import staff_pages
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import screen_caller_for_physiotherapy, screenshot, sign_in
from tests.factories import ScreeningFactory, ServiceFactory, StaffUserFactory, TherapistFactory, open_every_day

pytestmark = pytest.mark.browser
size, staff_page = staff_pages.size, staff_pages.staff_page  # the fixtures: a phone and a desktop page
SATURDAY = 5


def coming(weekday: int, after: date) -> date:
    """The first such weekday at least two days after ``after``."""
    day = after + timedelta(days=2)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def clinic(live_app: LiveServer) -> Iterator[dict[str, str]]:
    """An admin with TOTP, a physiotherapy service and therapist, a patient's screening; the hours are put back.

    Visits other browser tests booked on a Saturday are cancelled first: closing Saturdays would strand them,
    and is then refused (as it should be).
    """
    with live_app.app.app_context():
        for visit in db.session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)):
            if visit.starts_at.astimezone(clinic_zone()).weekday() == SATURDAY:
                visit.status = AppointmentStatus.CANCELLED
        db.session.commit()
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        kept = list(db.session.get(ClinicSettings, 1).opening_hours)
        admin: StaffUser = StaffUserFactory(admin=True)
        service = ServiceFactory(name="Physiotherapy assessment")
        TherapistFactory(name="Robin Osei")
        screening = ScreeningFactory(kind="physiotherapy")
        today = clinic_today()
        yield {"email": admin.email, "secret": admin.totp_secret or "", "service": service.code,
               "screening": str(screening.id), "saturday": coming(SATURDAY, today).isoformat(),
               "weekday": coming(2, today).isoformat()}
        db.session.expire_all()
        db.session.get(ClinicSettings, 1).opening_hours = kept
        db.session.commit()


def times_on(page: Page, clinic: dict[str, str], day: str) -> None:
    """The patients' times page for the clinic's service on that day."""
    page.goto(f"/book/{clinic['screening']}/times?service={clinic['service']}&therapist=any&date={day}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a day and time")


def test_an_admin_closes_saturdays_and_books_for_a_caller(staff_page: Page, size: str,
                                                          clinic: dict[str, str]) -> None:
    sign_in(staff_page, clinic["email"])
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    staff_page.get_by_label("Code").fill(pyotp.TOTP(clinic["secret"]).now())
    staff_page.get_by_role("button", name="Continue").click()
    expect(staff_page).to_have_url(re.compile(r"/admin/"))

    times_on(staff_page, clinic, clinic["saturday"])
    expect(staff_page.locator("button.slot").first).to_be_visible()
    staff_page.goto("/admin/settings")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Clinic settings")
    staff_page.get_by_label("Open on Saturday").uncheck()
    screenshot(staff_page, "admin-1-settings", size)
    staff_page.get_by_role("button", name="Save settings").click()
    expect(staff_page.get_by_label("Open on Saturday")).not_to_be_checked()

    staff_page.goto("/")
    expect(staff_page.locator("table.hours tr", has_text="Saturday")).to_contain_text("Closed")
    screenshot(staff_page, "admin-2-home-saturday-closed", size)
    times_on(staff_page, clinic, clinic["saturday"])
    expect(staff_page.get_by_text("There are no open times on this day")).to_be_visible()
    expect(staff_page.locator("button.slot")).to_have_count(0)
    screenshot(staff_page, "admin-3-times-saturday-closed", size)

    screen_caller_for_physiotherapy(staff_page)
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Choose a day and time")
    staff_page.get_by_label("First available").check()
    staff_page.get_by_label("Day", exact=True).fill(clinic["weekday"])
    staff_page.get_by_label("Day", exact=True).press("Enter")
    first_time = staff_page.locator("button.slot").first
    label = first_time.inner_text()
    screenshot(staff_page, "admin-4-caller-times", size)
    first_time.click()

    expect(staff_page.get_by_role("heading", level=1)).to_have_text("The caller's details")
    staff_page.get_by_label("Full name").fill("Jordan Caller")
    staff_page.get_by_label("Email address").fill("jordan.caller@example.com")
    staff_page.get_by_label("Phone number").fill("403-555-0177")
    staff_page.get_by_label("The caller has heard the privacy notice", exact=False).check()
    staff_page.get_by_role("button", name="Book this visit").click()
    expect(staff_page.get_by_text("Booked for Jordan Caller.")).to_be_visible()
    expect(staff_page.locator("main")).to_contain_text(label.split(" ")[0])
    screenshot(staff_page, "admin-5-booked-for-caller", size)
