"""axe-core in the browser tests: a page passes when axe finds no violation of the WCAG 2 A and AA rules.

axe is vendored under tests/browser/vendor (never served by the app). The app's CSP (`script-src 'self'`)
refuses a script tag with inline content, so Playwright's add_script_tag cannot load it; page.evaluate runs
the file's source through the DevTools protocol, which the CSP does not govern, so the page and its headers
stay exactly as the app serves them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
    .then(results => results.violations.map(rule => ({
        id: rule.id, impact: rule.impact, help: rule.help,
        targets: rule.nodes.map(node => node.target.join(" "))})))"""


@cache
def axe_source() -> str:
    """The vendored axe-core, read once per test session."""
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """What axe finds on the page as it is now: each rule broken (id, impact, help) and the elements breaking it."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN, WCAG_A_AA)


def describe(found: list[dict[str, Any]]) -> str:
    """One line per element breaking a rule: the rule, its impact, the element's selector, what the rule asks."""
    return "\n".join(f"{rule['id']} ({rule['impact']}) at {target}: {rule['help']}"
                     for rule in found for target in rule["targets"])


def assert_accessible(page: Page) -> None:
    """Fail listing every WCAG 2 A/AA violation axe finds on the page."""
    found = violations(page)
    assert not found, f"axe finds on {page.url}:\n{describe(found)}"
