"""booking.waitlist stays floor 0: the standard library and the time grid's parts of the day, nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.scheduling.test_purity import imported_roots

PACKAGE = Path(__file__).resolve().parents[2] / "booking" / "waitlist"


def test_only_standard_library_and_booking_rules_are_imported() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert sources
    for source in sources:
        assert imported_roots(source) <= set(sys.stdlib_module_names) | {"__future__", "booking"}, source
