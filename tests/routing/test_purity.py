"""booking.routing stays pure: standard library only, no web, database or task frameworks."""

import ast
from pathlib import Path

ROUTING = Path(__file__).resolve().parents[2] / "booking" / "routing"
FORBIDDEN = {"flask", "sqlalchemy", "werkzeug", "celery"}


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Return (module name, relative level) for every import in a source file."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_routing_imports_no_frameworks_or_other_booking_packages() -> None:
    """No routing module imports flask, sqlalchemy, werkzeug, celery or the rest of booking."""
    sources = sorted(ROUTING.glob("*.py"))
    assert sources
    for path in sources:
        for module, level in imported_modules(path):
            top = module.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {module}"
            assert level <= 1, f"{path.name} imports from outside booking.routing"
            assert top != "booking" or module.startswith("booking.routing"), (
                f"{path.name} imports {module}"
            )
