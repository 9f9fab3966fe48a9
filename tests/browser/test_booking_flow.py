"""On a phone: screen, book a time, download the .ics, open the manage link and cancel; the times page with JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import Page, Response, expect

from booking.cli import demo
from booking.config import DEFAULTS
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import LiveServer
from tests.browser.screening_steps import answer_screening

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SUNDAY = 6
ZONE = ZoneInfo(DEFAULTS["CLINIC_TIMEZONE"])


@pytest.fixture(scope="module")
def demo_clinic(live_app: LiveServer) -> None:
    """The demo clinic, seeded into the live server's database."""
    with live_app.app.app_context():
        demo.seed()


@pytest.fixture
def patient(page: Page, demo_clinic: None) -> Iterator[Page]:
    """The phone's page; no request of the app may fail (a 4xx or 5xx) on the way."""
    failures: list[str] = []

    def response(answer: Response) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            failures.append(f"{answer.status} {answer.url}")

    page.on("response", response)
    yield page
    assert failures == []


def screenshot(page: Page, name: str) -> None:
    """Keep the page as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def a_day_to_book() -> str:
    """A day more than the 24-hour cut-off away on which the demo clinic is open (not a Sunday)."""
    day = datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=2)
    return (day + timedelta(days=1) if day.weekday() == SUNDAY else day).isoformat()


def heading_day(day: str) -> str:
    """How the times page heading names a day given as YYYY-MM-DD."""
    return date.fromisoformat(day).strftime("%A %B %-d, %Y")


def clock(moment: datetime) -> str:
    """A time as the pages write it: 9:30 a.m."""
    local = moment.astimezone(ZONE)
    return local.strftime("%-I:%M ") + ("a.m." if local.hour < 12 else "p.m.")


def screen(page: Page, concerns: tuple[str, ...], recommendation: str) -> None:
    """Answer the screening by touch: these concerns, no warning signs; the recommendation's heading shows."""
    page.goto("/screening/")
    answer_screening(page, concerns)
    page.get_by_role("button", name="See my recommendation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(recommendation)


def about_you(page: Page, name: str, email: str, phone: str) -> None:
    """Fill in who is booking (or joining the waitlist), an adult, and agree to the privacy notice."""
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number").fill(phone)
    page.get_by_role("group", name="Is the patient under 18?").get_by_label("No", exact=True).check()
    page.get_by_label("I have read the privacy notice", exact=False).check()


def screen_for_physiotherapy(page: Page) -> None:
    """Chronic pain alone: physiotherapy."""
    screen(page, ("chronic_pain",), "We recommend physiotherapy")


def test_screen_book_download_and_cancel(patient: Page) -> None:
    screen_for_physiotherapy(patient)
    patient.get_by_role("link", name="Book a physiotherapy appointment").click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Choose a service")
    expect(patient.get_by_text("Massage therapy")).to_have_count(0)
    patient.get_by_label("Physiotherapy initial assessment", exact=False).check()
    screenshot(patient, "booking-1-service")
    patient.get_by_role("button", name="Continue").click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Choose a day and time")
    patient.get_by_label("First available").check()
    day = a_day_to_book()
    patient.get_by_label("Day", exact=True).fill(day)
    expect(patient.get_by_role("button", name="Show open times")).to_be_hidden()  # JavaScript updates the times
    expect(patient.locator("#day-heading")).to_contain_text(heading_day(day))
    first_time = patient.locator("button.slot").first
    label = first_time.inner_text()
    assert label.endswith((" a.m. MST", " a.m. MDT", " p.m. MST", " p.m. MDT"))
    screenshot(patient, "booking-2-times")
    first_time.click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(patient.locator(".summary")).to_contain_text(label)
    patient.get_by_role("button", name="Book this visit").click()
    expect(patient.get_by_role("alert").first).to_contain_text("There is a problem")
    expect(patient.get_by_text("Say whether the patient is under 18.").first).to_be_visible()
    assert patient.evaluate("document.documentElement.scrollWidth") <= 390  # the phone's width: no sideways scroll
    assert_accessible(patient)
    screenshot(patient, "booking-3-details-errors")
    about_you(patient, "Avery Singh", "avery.singh@example.com", "403-555-0199")
    screenshot(patient, "booking-3-details")
    patient.get_by_role("button", name="Book this visit").click()

    expect(patient.get_by_role("heading", level=1)).to_have_text("Your visit is booked")
    expect(patient.locator(".summary")).to_contain_text(label)
    expect(patient.locator(".summary")).to_contain_text("Riverfront Avenue")
    screenshot(patient, "booking-4-confirmation")
    with patient.expect_download() as download_info:
        patient.get_by_role("link", name="Add to your calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "appointment.ics"
    (event,) = icalendar.Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    starts = event.decoded("dtstart")
    assert starts.utcoffset() == timedelta(0)
    assert clock(starts) in label

    manage_link = patient.locator(".manage-link a")
    href = manage_link.get_attribute("href")
    assert href and href.startswith("http://127.0.0.1:") and "/book/manage/" in href
    manage_link.click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your visit")
    screenshot(patient, "booking-5-manage")
    patient.get_by_role("link", name="Cancel this visit").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Cancel this visit?")
    patient.get_by_label("Reason (optional)").fill("My plans changed")
    patient.get_by_role("button", name="Yes, cancel my visit").click()

    expect(patient.get_by_role("status").first).to_contain_text("Your visit is cancelled")
    expect(patient.locator(".status")).to_contain_text("Cancelled")
    expect(patient.get_by_role("link", name="Book again")).to_be_visible()
    expect(patient.get_by_role("link", name="Cancel this visit")).to_have_count(0)
    screenshot(patient, "booking-6-cancelled")


def test_the_times_page_follows_each_choice_with_javascript(patient: Page) -> None:
    console: list[str] = []
    patient.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    screen_for_physiotherapy(patient)
    patient.get_by_role("link", name="Book a physiotherapy appointment").click()
    patient.get_by_label("Physiotherapy initial assessment", exact=False).check()
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Choose a day and time")
    expect(patient.get_by_text("Free to change until 24 hours before")).to_be_visible()
    patient.get_by_label("Day", exact=True).fill(a_day_to_book())
    expect(patient.locator("#day-heading")).to_contain_text(heading_day(a_day_to_book()))
    patient.get_by_label("Day", exact=True).press("Enter")  # the hidden "Show open times", never a time
    expect(patient.get_by_role("heading", level=1)).to_have_text("Choose a day and time")
    expect(patient.locator("#day-heading")).to_contain_text(heading_day(a_day_to_book()))

    # Choosing a therapist updates the times, with no button, and keeps the focus on the choice.
    with patient.expect_response(lambda answer: "therapist=" in answer.url and answer.request.headers.get("hx-request")):
        patient.get_by_label("Hélène Tremblay").check()
    expect(patient.get_by_label("Hélène Tremblay")).to_be_checked()
    expect(patient.get_by_label("Hélène Tremblay")).to_be_focused()
    assert "therapist=" in patient.url
    screenshot(patient, "times-1-therapist-chosen")

    # Tap targets of at least 44 px for the times and the day navigation.
    for target in (patient.locator("button.slot").first, patient.get_by_role("link", name="Next day", exact=True),
                   patient.locator(".coming-day").first, patient.locator(".next-open")):
        box = target.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, target

    # After "next day" the focus is on the new day's times.
    shown = patient.locator("#day-heading").inner_text()
    patient.get_by_role("link", name="Next day", exact=True).click()
    expect(patient.locator("#day-heading")).not_to_have_text(shown)
    expect(patient.locator("#day-heading")).to_be_focused()
    expect(patient.get_by_label("Hélène Tremblay")).to_be_checked()
    screenshot(patient, "times-2-next-day")

    # The time tapped is booked with the therapist chosen.
    label = patient.locator("button.slot").first.inner_text()
    patient.locator("button.slot").first.click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(patient.locator(".summary")).to_contain_text("Hélène Tremblay")
    expect(patient.locator(".summary")).to_contain_text(label)

    # After a form error the focus is on the error summary.
    patient.get_by_role("button", name="Book this visit").click()
    expect(patient.locator("#error-summary")).to_be_focused()
    screenshot(patient, "times-3-details-error-focus")
    assert console == [], console
