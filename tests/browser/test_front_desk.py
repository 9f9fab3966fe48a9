"""In Chromium, phone and desktop: the front desk books a caller who has no email, finds them with the search
box in the header, and joins their record with the one they made online."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from booking.extensions import db
from booking.models import ClinicSettings, StaffUser
from booking.services.visits.schedule import clinic_today
from tests.browser import staff_pages
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import screen_caller_for_physiotherapy, screenshot, sign_in
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    ScreeningFactory,
    ServiceFactory,
    StaffUserFactory,
    TherapistFactory,
    open_every_day,
)

pytestmark = pytest.mark.browser
size, staff_page = staff_pages.size, staff_pages.staff_page  # the fixtures: a phone and a desktop page
PHONES = {"phone": "403-555-0100", "desktop": "587-555-0100"}  # no demo patient has these (demo_people.py)


@pytest.fixture
def desk(live_app: LiveServer, size: str) -> dict[str, str]:
    """An admin with TOTP, a physiotherapy service and therapist, and the caller's record made online last month."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        admin: StaffUser = StaffUserFactory(admin=True)
        service = ServiceFactory(name="Physiotherapy assessment")
        therapist = TherapistFactory(name="Robin Osei")
        online = PatientFactory(name=f"Jamie Online {size}", email=f"jamie.{size}@example.com",
                                phone="+1" + PHONES[size].replace("-", ""))
        last_month = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0) - timedelta(days=30)
        AppointmentFactory(patient=online, service=service, therapist=therapist, starts_at=last_month,
                           screening=ScreeningFactory(kind="physiotherapy"), status="completed")
        return {"email": admin.email, "secret": admin.totp_secret or "", "online": online.name,
                "caller": f"Jamie Caller {size}", "phone": PHONES[size],
                "day": (clinic_today() + timedelta(days=3)).isoformat()}


def signed_in_admin(page: Page, desk: dict[str, str]) -> None:
    """Sign in with the password and the authenticator code."""
    sign_in(page, desk["email"])
    page.get_by_label("Code").fill(pyotp.TOTP(desk["secret"]).now())
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/admin/"))


def book_without_email(page: Page, desk: dict[str, str]) -> None:
    """Screen the caller, choose the first time on the day, and book with no email address."""
    screen_caller_for_physiotherapy(page)
    page.get_by_label("First available").check()
    page.get_by_label("Day", exact=True).fill(desk["day"])
    page.get_by_label("Day", exact=True).press("Enter")
    page.locator("button.slot").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The caller's details")
    page.get_by_label("Full name").fill(desk["caller"])
    page.get_by_label("Phone number").fill(desk["phone"])
    page.get_by_label("The caller has heard the privacy notice", exact=False).check()
    page.get_by_role("button", name="Book this visit").click()


def test_the_front_desk_books_a_caller_without_email_finds_them_and_joins_their_records(
        staff_page: Page, size: str, desk: dict[str, str]) -> None:
    signed_in_admin(staff_page, desk)
    book_without_email(staff_page, desk)
    expect(staff_page.get_by_text(f"Booked for {desk['caller']}. Nothing is emailed to them")).to_be_visible()
    expect(staff_page.get_by_text("This patient has no email address")).to_be_visible()
    screenshot(staff_page, "front-desk-1-booked-without-email", size)

    search = staff_page.get_by_role("search").get_by_label("Find a patient")
    search.fill(desk["caller"])
    search.press("Enter")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Find a patient")
    expect(staff_page.get_by_role("heading", name="1 record found")).to_be_visible()
    screenshot(staff_page, "front-desk-2-search", size)
    staff_page.get_by_role("link", name=desk["caller"]).click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(desk["caller"])
    expect(staff_page.get_by_role("link", name=f"Book a visit for {desk['caller']}")).to_be_visible()

    staff_page.get_by_role("link", name="Join it to this record").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Join two patient records")
    expect(staff_page.get_by_role("heading", name=f"Kept: {desk['caller']}")).to_be_visible()
    expect(staff_page.get_by_role("heading", name=f"Joined into it: {desk['online']}")).to_be_visible()
    screenshot(staff_page, "front-desk-3-side-by-side", size)
    staff_page.get_by_role("button", name=f"Join them: keep {desk['caller']}'s record").click()
    expect(staff_page.get_by_text("The records are joined: 1 visit moved to this record.")).to_be_visible()
    expect(staff_page.locator("main")).to_contain_text(f"jamie.{size}@example.com")  # its email, from the other
    expect(staff_page.get_by_text("No other record has this email address or phone number.")).to_be_visible()
    screenshot(staff_page, "front-desk-4-joined", size)
