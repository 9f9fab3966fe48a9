"""What the staff browser tests share: phone, tablet and desktop pages, screenshots, whether a page scrolls
sideways, signing in through the form, screening a caller."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.screening_steps import answer_screening
from tests.factories import STAFF_PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SIZES: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "tablet": {"viewport": {"width": 768, "height": 1024}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False},
}


@pytest.fixture(params=["phone", "desktop"])
def size(request: pytest.FixtureRequest) -> str:
    """Each staff browser test runs on a phone and on a desktop screen."""
    return request.param


@pytest.fixture(params=list(SIZES), name="size")
def every_size(request: pytest.FixtureRequest) -> str:
    """The calendar's tests run on a phone, a tablet and a desktop screen: a module takes this fixture as its
    ``size`` with ``size = staff_pages.every_size``."""
    return request.param


@contextmanager
def page_of_size(browser: Browser, browser_context_args: dict[str, Any], size: str,
                 **options: Any) -> Iterator[Page]:
    """A page of that size (``options``: more of its context's, e.g. java_script_enabled=False); no request of the
    app may answer 5xx on the way."""
    context = browser.new_context(**{**browser_context_args, **SIZES[size], **options})
    page = context.new_page()
    failures: list[str] = []

    def response(answer: Response) -> None:
        if answer.status >= 500:
            failures.append(f"{answer.status} {answer.url}")

    page.on("response", response)
    try:
        yield page
    finally:
        context.close()
    assert failures == []


@pytest.fixture
def staff_page(browser: Browser, browser_context_args: dict[str, Any], size: str) -> Iterator[Page]:
    """A page of that size; no request of the app may answer 5xx on the way."""
    with page_of_size(browser, browser_context_args, size) as page:
        yield page


def screenshot(page: Page, name: str, size: str) -> None:
    """Keep the page as a test artifact, test-artifacts/screenshots/staff-<name>-<size>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-{name}-{size}.png"), full_page=True)


def snapshot(page: Page, name: str) -> None:
    """Keep the page as a test artifact named after its screen: its size's name, else its width x height."""
    viewport = page.viewport_size or {"width": 0, "height": 0}
    size = next((known for known, screen in SIZES.items() if screen["viewport"] == viewport),
                f"{viewport['width']}x{viewport['height']}")
    screenshot(page, name, size)


def overflow(page: Page) -> int:
    """How many pixels the page is wider than its screen (0: it does not scroll sideways; an element of it that
    scrolls within itself does not count). On a phone or tablet the layout viewport (window.innerWidth) widens to
    what overflows, so both it and the page's width are held to the screen's."""
    width = (page.viewport_size or {"width": 0})["width"]
    return page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)") - width


def sign_in(page: Page, email: str) -> None:
    """Sign in with the factory's password through the login form."""
    page.goto("/staff/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in_admin(page: Page, email: str, secret: str) -> None:
    """Sign in as an admin: the password, then the code of their authenticator (its TOTP secret)."""
    sign_in(page, email)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/admin/"))


def screen_caller_for_physiotherapy(page: Page) -> None:
    """As an admin booking a caller: screen them for chronic pain and choose the physiotherapy assessment."""
    page.goto("/admin/book")
    answer_screening(page, ("chronic_pain",))
    page.locator("button[value=continue]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a service")
    page.get_by_label("Physiotherapy assessment", exact=False).first.check()
    page.get_by_role("button", name="Continue").click()
