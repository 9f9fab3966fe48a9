"""On a phone: a combined screening books massage right before physiotherapy, sees both visits on one
confirmation and in one calendar file, and cancels both from one visit's manage page; also without JavaScript."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.browser import test_booking_flow as single
from tests.browser.test_booking_flow import a_day_to_book, about_you, clock, heading_day, screen, screenshot

pytestmark = pytest.mark.browser

demo_clinic = single.demo_clinic  # the demo clinic, and the phone's page on which no request may fail
patient = single.patient
MASSAGE, PHYSIOTHERAPY = "Massage therapy (60 minutes)", "Physiotherapy initial assessment (60 minutes)"
PAIR_TIME = re.compile(r"^(\d{1,2}:\d\d [ap]\.m\.) M[SD]T massage, then (\d{1,2}:\d\d [ap]\.m\.) physiotherapy$")


def screen_for_combined_care(page: Page) -> None:
    """Chronic pain and stress relief: physiotherapy and massage together."""
    screen(page, ("chronic_pain", "stress_relief"), "We recommend physiotherapy and massage therapy together")


def book_a_pair(page: Page, name: str, email: str, *, javascript: bool = True) -> str:
    """From the recommendation, book a 60-minute massage right before a physiotherapy assessment at the
    first pair time of a coming day; the time's label as the times page showed it."""
    page.get_by_role("link", name="Book massage and physiotherapy assessment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Massage right before physiotherapy")
    page.get_by_role("group", name="Which massage therapy?").get_by_label(MASSAGE, exact=False).check()
    page.get_by_role("group", name="Which physiotherapy visit?").get_by_label(PHYSIOTHERAPY, exact=False).check()
    screenshot(page, "pair-1-visits")
    page.get_by_role("button", name="Show open times").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a day and time")
    expect(page.get_by_text("Massage therapy (60 minutes) with the first available massage therapist")).to_be_visible()
    day = a_day_to_book()
    page.get_by_label("Day", exact=True).fill(day)
    if javascript:
        expect(page.get_by_role("button", name="Show open times")).to_be_hidden()  # JavaScript updates the times
    else:
        page.get_by_role("button", name="Show open times").click()
    expect(page.locator("#day-heading")).to_contain_text(heading_day(day))
    first_time = page.locator("button.slot").first
    label = first_time.inner_text()
    massage_at, physio_at = PAIR_TIME.match(label).groups()
    one_hour_later = datetime.strptime(massage_at.replace(".", ""), "%I:%M %p") + timedelta(hours=1)
    assert physio_at.replace(".", "").upper() == one_hour_later.strftime("%-I:%M %p")
    screenshot(page, "pair-2-times")
    first_time.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    summary = page.locator(".summary")
    expect(summary).to_contain_text(f"{massage_at} M")
    expect(summary).to_contain_text(f"(massage), then {physio_at} M")
    page.get_by_role("button", name="Book both visits").click()
    expect(page.get_by_role("alert").first).to_contain_text("There is a problem")
    expect(page.get_by_label("Full name")).to_be_visible()
    about_you(page, name, email, "403-555-0188")
    screenshot(page, "pair-3-details")
    page.get_by_role("button", name="Book both visits").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your two visits are booked")
    expect(page.get_by_text("After your first visit, we plan the rest of your care with you")).to_be_visible()
    return label


def visit_times(page: Page) -> list[str]:
    """The Time row of each visit on the page: "9:00 a.m. MST to 10:00 a.m. MST"."""
    return page.locator(".summary dt", has_text="Time").locator("xpath=following-sibling::dd").all_inner_texts()


def test_pair_is_booked_shown_and_added_to_the_calendar_together_then_cancelled_together(patient: Page) -> None:
    screen_for_combined_care(patient)
    label = book_a_pair(patient, "Morgan Lee", "morgan.lee@example.com")
    massage_at, physio_at = PAIR_TIME.match(label).groups()

    # One confirmation: the massage first, ending when the physiotherapy starts.
    expect(patient.get_by_role("heading", level=1)).to_have_count(1)
    expect(patient.get_by_role("heading", level=2)).to_have_text([f"First: {MASSAGE}", f"Then: {PHYSIOTHERAPY}"])
    massage_time, physio_time = visit_times(patient)
    massage_starts, massage_ends = massage_time.split(" to ")
    assert massage_starts.startswith(massage_at)
    assert physio_time.startswith(f"{massage_ends} to ") and massage_ends.startswith(physio_at)
    expect(patient.locator(".summary dd", has_text=heading_day(a_day_to_book()))).to_have_count(2)
    manage_links = patient.locator(".manage-link a")
    expect(manage_links).to_have_count(2)
    massage_manage, physio_manage = (link.get_attribute("href") for link in manage_links.all())
    assert massage_manage != physio_manage
    screenshot(patient, "pair-4-confirmation")

    # One calendar file with both visits, back to back.
    calendar = patient.get_by_role("link", name="Add both to your calendar (.ics)")
    answer = patient.request.get(calendar.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("text/calendar")
    massage, physio = sorted(icalendar.Calendar.from_ical(answer.body()).walk("VEVENT"),
                             key=lambda event: event.decoded("dtstart"))
    assert massage.decoded("dtend") == physio.decoded("dtstart")
    assert clock(massage.decoded("dtstart")) == massage_at and clock(physio.decoded("dtstart")) == physio_at
    assert str(massage["summary"]).startswith("Massage therapy")
    assert str(physio["summary"]).startswith("Physiotherapy")
    assert (str(massage["url"]), str(physio["url"])) == (massage_manage, physio_manage)

    # The massage's manage page lists the physiotherapy visit booked with it.
    patient.locator(".manage-link a").first.click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your visit")
    expect(patient.get_by_role("heading", name="Booked with this visit")).to_be_visible()
    partner_row = patient.locator(".visit-table tbody tr")
    expect(partner_row).to_have_count(1)
    expect(partner_row).to_contain_text(PHYSIOTHERAPY)
    expect(partner_row).to_contain_text(physio_at)
    expect(partner_row.get_by_role("link", name=re.compile("^Move"))).to_be_visible()
    expect(partner_row.get_by_role("link", name=re.compile("^Cancel"))).to_be_visible()
    screenshot(patient, "pair-5-manage")

    # Cancelling it, choosing both.
    patient.get_by_role("link", name="Cancel this visit").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Cancel this visit?")
    both = patient.get_by_role("group", name=re.compile("Cancel that one too?"))
    expect(both).to_contain_text(PHYSIOTHERAPY)
    expect(both.get_by_label("Cancel only this visit")).to_be_checked()
    both.get_by_label("Cancel both visits").check()
    screenshot(patient, "pair-6-cancel-both")
    patient.get_by_role("button", name="Yes, cancel").click()

    expect(patient.get_by_role("status").first).to_contain_text("Both visits are cancelled")
    expect(patient.locator(".status")).to_contain_text("Cancelled")
    expect(patient.get_by_role("heading", name="Booked with this visit")).to_have_count(0)
    screenshot(patient, "pair-7-cancelled")
    patient.goto(physio_manage)
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your visit")
    expect(patient.locator(".summary")).to_contain_text(PHYSIOTHERAPY)
    expect(patient.locator(".status")).to_contain_text("Cancelled")
    expect(patient.get_by_role("link", name="Cancel this visit")).to_have_count(0)


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_pair_is_booked_without_javascript(patient: Page) -> None:
    screen_for_combined_care(patient)
    label = book_a_pair(patient, "Sam Okafor", "sam.okafor@example.com", javascript=False)
    massage_at, physio_at = PAIR_TIME.match(label).groups()
    massage_time, physio_time = visit_times(patient)
    assert massage_time.startswith(massage_at) and physio_time.startswith(physio_at)
    assert massage_time.split(" to ")[1] == physio_time.split(" to ")[0]
    expect(patient.locator(".manage-link a")).to_have_count(2)
