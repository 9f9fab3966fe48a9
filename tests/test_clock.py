"""One clock: the application reads the current time only through booking.clinic.clock.moment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOOKING = Path(__file__).resolve().parents[1] / "booking"
ROOT = BOOKING.parent
# The clock itself, and the models' column defaults (a callable the clock reads as well).
CLOCK = {BOOKING / "clinic" / "clock.py", BOOKING / "models" / "base.py"}
READERS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("time", "time")}


def clock_reads(path: Path) -> list[str]:
    """The calls in ``path`` that read the current time: datetime.now(), date.today(), time.time(), utcnow()."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        call = node.func
        if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name) \
                and (call.value.id, call.attr) in READERS:
            found.append(f"{call.value.id}.{call.attr}() on line {node.lineno}")
        elif isinstance(call, ast.Name) and call.id == "utcnow":
            found.append(f"utcnow() on line {node.lineno}")
    return found


def application_sources() -> list[Path]:
    """The Python files of the application and its worker."""
    return sorted(path for folder in ("booking", "worker") for path in (ROOT / folder).rglob("*.py")
                  if path not in CLOCK)


@pytest.mark.parametrize("path", application_sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_time_is_read_only_through_the_one_clock(path: Path) -> None:
    assert clock_reads(path) == [], f"{path.relative_to(ROOT)} reads the time itself: use booking.clinic.clock.moment"
