"""Imports run one way: services and notifications never reach into the pages; booking never imports worker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.routing.test_purity import imported_modules

BOOKING = Path(__file__).resolve().parents[1] / "booking"
PRESENTATION = ("booking.templating", "booking.appointments", "booking.admin", "booking.staff", "booking.public",
                "booking.screening", "booking.api")
BLUEPRINTS = ("admin", "staff", "appointments", "screening", "public", "api")


def sources(*folders: str) -> list[Path]:
    """The Python files under these folders of booking/."""
    return sorted(path for folder in folders for path in (BOOKING / folder).rglob("*.py"))


@pytest.mark.parametrize("path", sources("services", "notifications"), ids=lambda path: path.stem)
def test_services_import_no_presentation_code(path: Path) -> None:
    for module, _level in imported_modules(path):
        assert not module.startswith(PRESENTATION), f"{path.relative_to(BOOKING)} imports {module}"


def test_booking_never_imports_worker() -> None:
    for path in BOOKING.rglob("*.py"):
        for module, _level in imported_modules(path):
            assert module.split(".")[0] != "worker", f"{path.relative_to(BOOKING)} imports {module}"


def test_the_access_policy_imports_only_models() -> None:
    """Services, pages and templates all use booking/policy.py, so it stands on the models alone."""
    for module, _level in imported_modules(BOOKING / "policy.py"):
        assert module.startswith(("__future__", "collections", "dataclasses", "sqlalchemy", "booking.models")), module


def commits(path: Path) -> list[int]:
    """The lines of a source file that call something's ``commit()``."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


@pytest.mark.parametrize("path", sources(*BLUEPRINTS), ids=lambda path: f"{path.parent.name}.{path.stem}")
def test_views_never_commit(path: Path) -> None:
    """A page asks a service for a change; the service makes it and commits (one place decides what is stored)."""
    assert not commits(path), f"{path.relative_to(BOOKING)} commits on lines {commits(path)}"
