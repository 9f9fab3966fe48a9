"""booking.scheduling must stay pure standard library: no Flask, SQLAlchemy or Celery."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "booking" / "scheduling"
FORBIDDEN = {"flask", "sqlalchemy", "celery"}


def imported_roots(source: Path) -> set[str]:
    """The top-level names of absolute imports in ``source``."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_scheduling_modules_exist() -> None:
    assert {path.name for path in PACKAGE.glob("*.py")} >= {"__init__.py", "slots.py"}


def test_no_framework_imports() -> None:
    for source in PACKAGE.glob("*.py"):
        roots = imported_roots(source)
        assert not {root for root in roots
                    if root in FORBIDDEN or root.startswith(("flask_", "sqlalchemy_"))}, source


def test_only_standard_library_imports() -> None:
    for source in PACKAGE.glob("*.py"):
        assert imported_roots(source) <= set(sys.stdlib_module_names) | {"__future__"}, source
