"""One home for how days and times are written: the named formats of booking.clinic.times; no template, and no
module but that one, spells a format out."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from flask import Flask

from booking.clinic.times import DATE_FORMATS, local_time, written

BOOKING = Path(__file__).resolve().parents[1] / "booking"
TEMPLATES = sorted(path for path in (BOOKING / "templates").rglob("*") if path.is_file())
# A strftime directive that writes words or a clock reading: names of days and months, a.m./p.m., the zone, and the
# unpadded day and hour. Machine formats (ISO 8601 in forms, logs and the audit) use none of them.
DIRECTIVE = r"%-?[aAbBpZ]|%-[dIHM]"
NAMED = re.compile(r"""\b(?:local_time|written)\(\s*["']([^"']*)["']""")  # a template's | local_time("name")
NAMED_IN_PYTHON = re.compile(r"""\b(?:local_time|written)\([^()"']*,\s*["']([^"']*)["']""")  # local_time(moment, "name")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(BOOKING / "templates")))
def test_no_template_spells_a_format_out(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.findall(rf"strftime|{DIRECTIVE}", text), 'use a named format: | local_time("name") or | written("name")'
    assert set(NAMED.findall(text)) <= set(DATE_FORMATS)


@pytest.mark.parametrize("path", sorted(set(BOOKING.rglob("*.py")) - {BOOKING / "clinic" / "times.py"}),
                         ids=lambda path: str(path.relative_to(BOOKING)))
def test_no_module_but_the_clinics_times_spells_a_format_out(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.findall(DIRECTIVE, text), "use a named format: local_time(moment, name) or written(value, name)"
    assert set(NAMED_IN_PYTHON.findall(text)) <= set(DATE_FORMATS)


def test_each_name_writes_its_format(app: Flask) -> None:
    moment = datetime.fromisoformat("2026-12-02T16:30:05+00:00")  # 9:30:05 a.m. in Edmonton
    assert local_time(moment) == "Wednesday December 2, 2026 at 9:30 a.m. MST"
    assert local_time(moment, "date_short_time_seconds") == "Dec 2, 2026, 9:30:05 a.m. MST"
    assert local_time(moment, "subject") == "Wed 2 Dec at 9:30 a.m."
    assert written(time(21, 5), "clock") == "9:05 p.m."
    assert written(date(2026, 12, 2), "day") == "Wednesday December 2, 2026"
    assert all(local_time(moment, name) for name in DATE_FORMATS)


def test_a_format_spelled_out_is_refused(app: Flask) -> None:
    with pytest.raises(KeyError):
        local_time(datetime.fromisoformat("2026-12-02T16:30:00+00:00"), "%B %-d, %Y")
