"""The screening's steps as the browser tests take them, by touch."""

from __future__ import annotations

from playwright.sync_api import Page

from booking.routing import QUESTIONS

OPTIONS = {q["key"]: {o["code"]: o["text"] for o in q.get("options", [])} for q in QUESTIONS}


def answer_screening(page: Page, concerns: tuple[str, ...]) -> None:
    """From the concerns page: these concerns, No to every warning sign, the next page as it is, pain 5;
    the last page is left for the caller to submit."""
    for code in concerns:
        page.get_by_label(OPTIONS["concerns"][code]).check()
    page.get_by_role("button", name="Continue").click()
    for text in OPTIONS["red_flags"].values():
        page.get_by_role("group", name=text, exact=True).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("How bad is your pain right now?").fill("5")
