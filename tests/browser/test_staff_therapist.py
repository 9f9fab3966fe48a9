"""In Chromium, phone and desktop: a therapist signs in, sees today's schedule with a caution marked, opens the visit
to read it, completes the visit, notes it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import ClinicSettings, StaffUser
from booking.services.visits.schedule import clinic_today
from tests.browser import staff_pages
from tests.browser.conftest import LiveServer
from tests.browser.staff_pages import screenshot, sign_in
from tests.factories import open_every_day
from tests.staff.therapist_pages import CAUTION_TEXT, massage_therapist, visit

pytestmark = pytest.mark.browser
size, staff_page = staff_pages.size, staff_pages.staff_page  # the fixtures: a phone and a desktop page
NOTE = "Worked the upper back with lighter pressure; no bruising reported."


@pytest.fixture
def therapist(live_app: LiveServer) -> tuple[str, str]:
    """A massage therapist's login (no TOTP) and the name of their patient, whose visit began a few minutes ago."""
    with live_app.app.app_context():
        if db.session.get(ClinicSettings, 1) is None:
            open_every_day()
        now = datetime.now(UTC)
        midnight = datetime.combine(clinic_today(), time(), tzinfo=clinic_zone()).astimezone(UTC)
        user: StaffUser = massage_therapist()
        visit(user, max(now - timedelta(minutes=10), midnight), caution=True, name="Avery Singh")
        return user.email, "Avery Singh"


def test_a_therapist_sees_the_caution_completes_the_visit_and_writes_a_note(staff_page: Page, size: str,
                                                                            therapist: tuple[str, str]) -> None:
    email, patient = therapist
    sign_in(staff_page, email)

    expect(staff_page.get_by_role("heading", level=1)).to_have_text("My schedule")
    expect(staff_page.locator(".lead")).to_contain_text("(today")
    caution = staff_page.locator(".grid-visit--caution >> visible=true")  # the grid's block, or a phone's list item
    expect(caution).to_have_count(1)
    expect(caution).to_contain_text("Caution")
    expect(caution.get_by_role("link", name=patient)).to_be_visible()
    screenshot(staff_page, "therapist-1-schedule", size)

    caution.get_by_role("link", name=patient).click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text(patient)
    expect(staff_page.locator(".screening-cautions")).to_contain_text(CAUTION_TEXT)
    expect(staff_page.locator(".visit-status")).to_have_text("Booked")
    screenshot(staff_page, "therapist-2-visit", size)

    staff_page.get_by_role("button", name="Mark completed").click()
    expect(staff_page.get_by_text("The visit is marked completed.")).to_be_visible()
    expect(staff_page.locator(".visit-status")).to_have_text("Completed")
    expect(staff_page.get_by_role("button", name="Mark completed")).to_have_count(0)

    staff_page.get_by_label("Note", exact=True).fill(NOTE)
    staff_page.get_by_role("button", name="Save note").click()
    expect(staff_page.get_by_text("Your note is saved.")).to_be_visible()
    expect(staff_page.locator(".note-body")).to_have_text(NOTE)
    screenshot(staff_page, "therapist-3-completed-with-note", size)
