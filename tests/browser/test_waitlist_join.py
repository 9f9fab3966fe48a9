"""On a phone: no time suits, so the patient joins the waitlist from the times page, sees their place at its link and
leaves the list; nothing is wider than the screen, and axe finds no WCAG 2 A/AA violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import test_booking_flow as single
from tests.browser.accessibility import assert_accessible
from tests.browser.test_booking_flow import about_you, screen_for_physiotherapy, screenshot

pytestmark = pytest.mark.browser

demo_clinic = single.demo_clinic  # the demo clinic, and the phone's page on which no request may fail
patient = single.patient


def fits_the_screen(page: Page) -> None:
    """Nothing scrolls sideways on the 390-pixel-wide phone, and axe finds no WCAG 2 A/AA violation."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_join_the_waitlist_see_the_place_and_leave(patient: Page) -> None:
    screen_for_physiotherapy(patient)
    patient.get_by_role("link", name="Book a physiotherapy appointment").click()
    patient.get_by_label("Physiotherapy initial assessment", exact=False).check()
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Choose a day and time")
    patient.get_by_role("link", name="Join the waitlist").click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Join the waitlist")
    fits_the_screen(patient)
    patient.get_by_role("button", name="Join the waitlist").click()
    expect(patient.get_by_role("alert").first).to_contain_text("There is a problem")
    expect(patient.get_by_text("Choose at least one day of the week that suits you.").first).to_be_visible()
    expect(patient.get_by_text("Say whether the patient is under 18.").first).to_be_visible()
    fits_the_screen(patient)
    screenshot(patient, "waitlist-1-errors")
    patient.get_by_label("Tuesday").check()
    patient.get_by_label("Thursday").check()
    patient.get_by_label("Evening", exact=False).check()
    about_you(patient, "Avery Singh", "avery.waitlist@example.com", "403-555-0199")
    screenshot(patient, "waitlist-1-form")
    patient.get_by_role("button", name="Join the waitlist").click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Your place on the waitlist")
    expect(patient.get_by_text("You are on the waitlist.")).to_be_visible()
    expect(patient.locator(".summary")).to_contain_text("Tuesday, Thursday")
    fits_the_screen(patient)
    screenshot(patient, "waitlist-2-place")
    link = patient.locator(".manage-link a").get_attribute("href")
    assert link and "/waitlist/" in link

    patient.get_by_role("link", name="Leave the waitlist").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Leave the waitlist?")
    fits_the_screen(patient)
    patient.get_by_role("button", name="Yes, leave the waitlist").click()
    expect(patient.get_by_text("You have left the waitlist.")).to_be_visible()
    expect(patient.locator(".summary")).to_contain_text("Left the list")
