"""A small clinic on a frozen clock, and helpers that read the booking pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html import unescape

import pytest
import time_machine
from flask import Flask

from tests.factories import Clinic, local, small_clinic

# Thursday 29 October 2026, 09:00 in Calgary (MDT); clocks fall back on Sunday 1 November.
NOW = local(2026, 10, 29, 9)


@pytest.fixture
def now() -> Iterator[datetime]:
    """The clock, frozen at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def clinic(app: Flask, now: datetime) -> Clinic:
    """Services, two therapists of each kind (08:00-20:00 every day) and a screening of each kind."""
    return small_clinic()


def slot_buttons(page: str) -> list[tuple[str, str]]:
    """The (value, label) of each time button of the day picker."""
    return [(value, unescape(label)) for value, label in
            re.findall(r'<button class="button slot" type="submit" name="start" value="([^"]+)">([^<]+)</button>',
                       page)]


def input_value(page: str, name: str) -> str | None:
    """The value of the (first) input with this name."""
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return unescape(found.group(1)) if found else ""
    return None


def radio_options(page: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) of each radio button with this name."""
    options = []
    for tag_id, value in re.findall(rf'<input[^>]*id="([^"]+)"[^>]*name="{name}"[^>]*type="radio"[^>]*value="([^"]*)"',
                                    page):
        label = re.search(rf'<label for="{re.escape(tag_id)}">([^<]*)</label>', page)
        options.append((unescape(value), unescape(label.group(1)) if label else ""))
    return options
