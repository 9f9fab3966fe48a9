"""A patient on a phone goes through the screening: by keyboard alone, by touch, and with a red flag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from tests.browser.screening_steps import OPTIONS

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
RED_FLAGS = OPTIONS["red_flags"]
UNLABELLED_INPUTS = """() => [...document.querySelectorAll("input:not([type=hidden]), textarea, select")]
    .filter(el => !el.getAttribute("aria-label")
                  && !(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)))
    .map(el => el.name || el.outerHTML)"""


@pytest.fixture
def patient(page: Page) -> Iterator[Page]:
    """The phone's page; at the end nothing may have failed to load and no script error (a CSP
    violation, say) been logged. The browser's own favicon request is not the app's concern."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer: Response) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    yield page
    assert problems == []


def check_labels(page: Page) -> None:
    """Every input, textarea and select on the page has a label[for] or an aria-label."""
    assert page.evaluate(UNLABELLED_INPUTS) == []


def screenshot(page: Page, name: str) -> None:
    """Keep the page as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with the Tab key")


def press_continue(page: Page, heading: str) -> None:
    """Tab to the Continue button, press Enter, and wait for the next page's heading."""
    tab_to(page, "button[value=continue]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def answer_warning_signs(page: Page) -> None:
    """Answer No to every red flag by touch, each in its own labelled group."""
    for text in RED_FLAGS.values():
        page.get_by_role("group", name=text, exact=True).get_by_label("No", exact=True).check()


def test_keyboard_alone_leads_to_physiotherapy(patient: Page) -> None:
    patient.goto("/screening/")
    check_labels(patient)
    tab_to(patient, "input[value=chronic_pain]")
    patient.keyboard.press("Space")
    expect(patient.locator("input[value=chronic_pain]")).to_be_checked()
    press_continue(patient, "In the past few days, have you had any of these?")
    check_labels(patient)
    for code in RED_FLAGS:
        tab_to(patient, f"#{code}-0")
        patient.keyboard.press("ArrowRight")
        expect(patient.locator(f"#{code}-1")).to_be_checked()
    press_continue(patient, "Your health")
    check_labels(patient)
    press_continue(patient, "About your problem")
    check_labels(patient)
    tab_to(patient, "#pain_level")
    patient.keyboard.type("6")
    tab_to(patient, "#symptom_weeks")
    patient.keyboard.type("30")
    patient.keyboard.press("Enter")
    expect(patient.get_by_role("heading", level=1)).to_have_text("We recommend physiotherapy")
    expect(patient.get_by_role("link", name="Book a physiotherapy appointment")).to_be_visible()
    assert "?" not in patient.url
    screenshot(patient, "physiotherapy")


def test_touch_leads_to_combined_care_and_back_keeps_answers(patient: Page) -> None:
    patient.goto("/screening/")
    for code in ("chronic_pain", "stress_relief"):
        patient.get_by_label(OPTIONS["concerns"][code]).check()
    patient.get_by_role("button", name="Continue").click()
    answer_warning_signs(patient)
    patient.get_by_role("button", name="Continue").click()
    patient.get_by_label(OPTIONS["precautions"]["pregnancy"]).check()
    patient.get_by_role("button", name="Continue").click()
    patient.get_by_label("How bad is your pain right now?").fill("4")
    patient.get_by_label(OPTIONS["preference"]["massage"], exact=True).check()
    patient.get_by_role("button", name="Back").click()
    expect(patient.get_by_label(OPTIONS["precautions"]["pregnancy"])).to_be_checked()
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_label("How bad is your pain right now?")).to_have_value("4")
    expect(patient.get_by_label(OPTIONS["preference"]["massage"], exact=True)).to_be_checked()
    screenshot(patient, "details-step")
    patient.get_by_role("button", name="See my recommendation").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text(
        "We recommend physiotherapy and massage therapy together")
    expect(patient.get_by_role("link", name="Book massage and physiotherapy assessment")).to_be_visible()
    expect(patient.get_by_text("You told us you would prefer massage therapy.")).to_be_visible()
    expect(patient.get_by_text("trained in pregnancy massage")).to_be_visible()
    screenshot(patient, "combined")
    patient.get_by_role("link", name="book the physiotherapy assessment on its own").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Choose a service")
    expect(patient.get_by_text("here you book the assessment on its own")).to_be_visible()


def test_chest_pain_alone_goes_straight_to_emergency_advice_with_no_booking(patient: Page) -> None:
    patient.goto("/screening/")
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("alert").first).to_contain_text("There is a problem")
    expect(patient.get_by_role("heading", level=1)).to_have_text("Why you are coming")
    patient.get_by_label(OPTIONS["concerns"]["post_surgery"]).check()
    patient.get_by_role("button", name="Continue").click()
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("alert").first).to_contain_text("There is a problem")
    screenshot(patient, "warning-signs-unanswered")
    chest_pain = patient.get_by_role("group", name=RED_FLAGS["chest_pain"], exact=True)
    chest_pain.get_by_label("Yes", exact=True).check()  # every other warning sign left unanswered
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_text("Answer yes or no")).to_have_count(0)
    alert = patient.get_by_role("alert")
    expect(alert.get_by_role("heading", level=1)).to_have_text(
        "Call 911 or go to the nearest emergency department now")
    expect(alert.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(patient.locator("main").get_by_role("link", name=re.compile("^Book a "))).to_have_count(0)
    screenshot(patient, "emergency")


def test_book_an_appointment_on_the_home_page_is_reachable_by_keyboard(patient: Page) -> None:
    patient.goto("/")
    check_labels(patient)
    tab_to(patient, "a.button--primary")
    expect(patient.locator(":focus")).to_have_text("Book an appointment")
    patient.keyboard.press("Enter")
    expect(patient).to_have_url(re.compile(r"/screening/$"))
    expect(patient.get_by_role("heading", level=1)).to_have_text("Why you are coming")
