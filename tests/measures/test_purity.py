"""booking.measures stays pure standard library: no Flask, database or task framework, nothing else of booking."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.scheduling.test_purity import imported_roots

PACKAGE = Path(__file__).resolve().parents[2] / "booking" / "measures"


def test_only_standard_library_imports() -> None:
    sources = sorted(PACKAGE.glob("*.py"))
    assert {path.name for path in sources} >= {"__init__.py", "definition.py", "files.py", "change.py", "steer.py"}
    for source in sources:
        assert imported_roots(source) <= set(sys.stdlib_module_names) | {"__future__"}, source
