"""The README tells the truth about the defaults and points only at what a clone has."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from booking.clinic.settings import DEFAULT_OPENING_HOURS, WEEKDAYS
from booking.clinic.times import written

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def setting_row(name: str) -> str:
    """The configuration table's row of a setting."""
    (row,) = [line for line in README.splitlines() if line.startswith(f"| `{name}`")]
    return row


def documented_hours(cell: str) -> list[str]:
    """Read "Mon–Thu 7 – 8, Fri 7 – 6, ..." as one entry per weekday, Monday first."""
    days = [day[:3] for day in WEEKDAYS]
    hours: list[str] = []
    for group in cell.split(", "):
        span, text = group.split(" ", 1)
        first, _, last = span.partition("–")
        assert days.index(first) == len(hours), f"{group!r} does not follow on"
        hours += [text] * (days.index(last or first) - days.index(first) + 1)
    return hours


def test_the_documented_opening_hours_are_the_default_ones() -> None:
    (line,) = [line for line in README.splitlines() if line.startswith("Opening hours at first: ")]
    shown = ["Closed" if hours is None else
             f"{written(time.fromisoformat(hours[0]), 'clock')} – {written(time.fromisoformat(hours[1]), 'clock')}"
             for hours in DEFAULT_OPENING_HOURS]
    assert documented_hours(line.removeprefix("Opening hours at first: ").rstrip(".")) == shown


def test_the_production_settings_are_documented() -> None:
    assert "required in production" in setting_row("PUBLIC_BASE_URL")
    assert "project root" in setting_row("INSTANCE_PATH")
    production = setting_row("BOOKING_ENV")
    assert "PUBLIC_BASE_URL" in production and "memory" in production


def test_the_readme_names_only_files_of_the_repository() -> None:
    assert "CONTRACT.md" not in README
    assert "Python 3.11 exactly" in README
    for path in re.findall(r"`(booking/[\w/.]+)`", README):
        assert (ROOT / path).exists(), path
