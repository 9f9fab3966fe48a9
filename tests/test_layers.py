"""Imports run one way: down the floors below, never up; a blueprint never into another (but admin into staff's sign-in);
booking never imports worker; pages never commit.

A module stands on the floor of the longest prefix below that names it, and may import only from its own floor
or lower ones. docs/architecture.md says what each floor is for and where a new feature goes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.routing.test_purity import imported_modules

BOOKING = Path(__file__).resolve().parents[1] / "booking"

FLOORS: tuple[tuple[str, ...], ...] = (
    # 0. Rules: pure decisions and constants, no Flask and no database.
    ("booking.routing", "booking.scheduling", "booking.waitlist", "booking.measures", "booking.questionnaires",
     "booking.privacy", "booking.clinic.limits", "booking.config", "booking.logs"),
    # 1. Records: the tables and the database.
    ("booking.models", "booking.extensions", "booking.database", "booking.database_roles"),
    # 2. The clinic: its settings, zone, clock, formats, checks of what people type; and who may do what.
    ("booking.clinic", "booking.policy", "booking.navigation"),
    # 3. The outbox: the notification rows a change writes in its own transaction, and their relay.
    ("booking.outbox",),
    # 4. Services: every use case, each owning its transaction.
    ("booking.services",),
    # 5. Notifications, the sending side: what each one says, and its delivery (called by the worker).
    ("booking.notifications",),
    # 6. Pages and commands: blueprints, forms, templates' filters, errors, headers, the CLI and the demo.
    ("booking.forms", "booking.flows", "booking.templating", "booking.errors", "booking.security",
     "booking.queue", "booking.cli", "booking.public", "booking.screening", "booking.appointments",
     "booking.api", "booking.staff", "booking.admin"),
    # 7. The application factory, which wires everything.
    ("booking",),
)


def floor(module: str) -> int:
    """The floor of a booking module: that of the longest prefix naming it."""
    matches = [(len(prefix), level) for level, prefixes in enumerate(FLOORS) for prefix in prefixes
               if module == prefix or module.startswith(prefix + ".")]
    assert matches, f"{module} is on no floor: add it to FLOORS"
    return max(matches)[1]


def module_name(path: Path) -> str:
    """The dotted name of a source file under booking/."""
    parts = path.relative_to(BOOKING.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def absolute(module: str, level: int, path: Path) -> str:
    """An import's module, relative imports resolved against the file's package."""
    if not level:
        return module
    package = module_name(path).split(".")
    package = package if path.name == "__init__.py" else package[:-1]
    base = package[:len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


SOURCES = sorted(BOOKING.rglob("*.py"))
MODULES = {module_name(path) for path in SOURCES}


def booking_imports(path: Path) -> set[str]:
    """The booking modules a source file imports (``from booking import outbox`` imports booking.outbox)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = absolute(node.module or "", node.level, path)
            found.update(f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module
                         for alias in node.names)
    return {module for module in found if module.split(".")[0] == "booking"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: module_name(path))
def test_imports_run_down_the_floors_never_up(path: Path) -> None:
    own = floor(module_name(path))
    for imported in booking_imports(path):
        assert floor(imported) <= own, (
            f"{module_name(path)} (floor {own}) imports {imported} (floor {floor(imported)}), which runs back up")


def test_the_floors_reject_an_import_that_runs_back_up() -> None:
    """The check itself: a service importing a page, or the clinic a service, would be caught."""
    assert floor("booking.services.visits.change") < floor("booking.admin.visits")
    assert floor("booking.clinic.settings") < floor("booking.services.audit")
    assert floor("booking.outbox.relay") < floor("booking.notifications.messages") < floor("booking.staff.auth")
    assert floor("booking.clinic.limits") < floor("booking.models") < floor("booking.clinic.settings")


def test_booking_never_imports_worker() -> None:
    for path in SOURCES:
        for module, _level in imported_modules(path):
            assert module.split(".")[0] != "worker", f"{path.relative_to(BOOKING)} imports {module}"


def test_the_access_policy_imports_only_models() -> None:
    """Services, pages and templates all use booking/policy.py, so it stands on the models alone."""
    for module, _level in imported_modules(BOOKING / "policy.py"):
        assert module.startswith(("__future__", "collections", "dataclasses", "sqlalchemy", "booking.models")), module


# The blueprints, and what each may import of another: nothing, but the admin section of the staff pages may use
# the staff's sign-in and its guard. What several blueprints share is in booking.forms and booking.flows.
PATIENT_BLUEPRINTS = ("appointments", "screening", "public", "api")
BLUEPRINTS = (*PATIENT_BLUEPRINTS, "staff", "admin")
MAY_IMPORT_OF_ANOTHER_BLUEPRINT = {"admin": ("booking.staff.access", "booking.staff.auth")}


def blueprint(module: str) -> str | None:
    """The blueprint a booking module belongs to, if any."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in BLUEPRINTS else None


def crossing(module: str, imported: str) -> bool:
    """Whether an import of ``module`` reaches into another blueprint than the ones it may."""
    own, other = blueprint(module), blueprint(imported)
    return (own is not None and other is not None and other != own
            and imported not in MAY_IMPORT_OF_ANOTHER_BLUEPRINT.get(own, ()))


@pytest.mark.parametrize("path", [path for path in SOURCES if blueprint(module_name(path))],
                         ids=lambda path: module_name(path))
def test_blueprint_imports_run_one_way(path: Path) -> None:
    """Patients' pages never import the staff's or the admins'; staff never the admins'; admin only staff's sign-in."""
    for imported in booking_imports(path):
        assert not crossing(module_name(path), imported), (
            f"{module_name(path)} imports {imported}, of another blueprint: move what they share to booking.forms "
            "or booking.flows")


def test_the_blueprint_rule_rejects_an_import_that_crosses() -> None:
    """The check itself: each crossing the rule forbids is caught, the one it allows is not."""
    assert crossing("booking.appointments.views", "booking.admin.forms")
    assert crossing("booking.api.appointments", "booking.staff.access")
    assert crossing("booking.staff.visits", "booking.admin.forms")
    assert crossing("booking.staff.home", "booking.admin")
    assert crossing("booking.admin.phone", "booking.appointments.views")
    assert crossing("booking.admin.phone", "booking.screening.views")
    assert crossing("booking.admin.visits", "booking.staff.schedule")
    assert not crossing("booking.admin.visits", "booking.staff.access")
    assert not crossing("booking.admin.visits", "booking.flows.picker")
    assert not crossing("booking.staff.visits", "booking.staff.access")


def commits(path: Path) -> list[int]:
    """The lines of a source file that call something's ``commit()``."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


PAGES = [path for path in SOURCES if floor(module_name(path)) == len(FLOORS) - 2
         and module_name(path).split(".")[1] in (*BLUEPRINTS, "flows")]


@pytest.mark.parametrize("path", PAGES, ids=lambda path: module_name(path))
def test_views_never_commit(path: Path) -> None:
    """A page asks a service for a change; the service makes it and commits (one place decides what is stored)."""
    assert not commits(path), f"{path.relative_to(BOOKING)} commits on lines {commits(path)}"
