"""What the staff browser tests share: phone and desktop pages, screenshots, signing in through the form,
screening a caller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.screening_steps import answer_screening
from tests.factories import STAFF_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SIZES: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False},
}


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    """Each staff browser test runs on a phone and on a desktop screen."""
    return request.param


@pytest.fixture
def staff_page(browser: Browser, browser_context_args: dict[str, Any], size: str) -> Iterator[Page]:
    """A page of that size; no request of the app may answer 5xx on the way."""
    context = browser.new_context(**{**browser_context_args, **SIZES[size]})
    page = context.new_page()
    failures: list[str] = []

    def response(answer: Response) -> None:
        if answer.status >= 500:
            failures.append(f"{answer.status} {answer.url}")

    page.on("response", response)
    yield page
    context.close()
    assert failures == []


def screenshot(page: Page, name: str, size: str) -> None:
    """Keep the page as a test artifact, named after the screen size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-{name}-{size}.png"), full_page=True)


def sign_in(page: Page, email: str) -> None:
    """Sign in with the factory's password through the login form."""
    page.goto("/staff/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def screen_caller_for_physiotherapy(page: Page) -> None:
    """As an admin booking a caller: screen them for chronic pain and choose the physiotherapy assessment."""
    page.goto("/admin/book")
    answer_screening(page, ("chronic_pain",))
    page.locator("button[value=continue]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a service")
    page.get_by_label("Physiotherapy assessment", exact=False).first.check()
    page.get_by_role("button", name="Continue").click()
