"""Locate and load the shared screening vignettes (../shared/screening beside the repo root)."""

import json
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VIGNETTES_PATH = REPO_ROOT.parent / "shared" / "screening" / "vignettes.json"


def load_vignettes(path: Path = VIGNETTES_PATH) -> list[dict[str, Any]]:
    """Return every vignette, failing the run (never skipping) when the file is missing."""
    if not path.is_file():
        pytest.fail(
            f"Screening vignettes not found at {path}. They are part of the binding contract; "
            "check out the shared/ folder beside the repository.",
            pytrace=False,
        )
    vignettes: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return vignettes


def is_invalid(vignette: dict[str, Any]) -> bool:
    """Whether the vignette describes answers that must be rejected."""
    return bool(vignette["errors"])
