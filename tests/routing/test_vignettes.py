"""Every worked example in the shared vignettes.json, through the Python API."""

from typing import Any

import pytest

from booking.routing import RULES_VERSION, ScreeningError, recommend

from .vignettes import is_invalid, load_vignettes

VIGNETTES = load_vignettes()
VALID = [v for v in VIGNETTES if not is_invalid(v)]
INVALID = [v for v in VIGNETTES if is_invalid(v)]


def test_vignettes_cover_valid_and_invalid_cases() -> None:
    """The shared file holds both kinds of example, each with a unique id."""
    ids = [v["id"] for v in VIGNETTES]
    assert VALID and INVALID
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("vignette", VALID, ids=[v["id"] for v in VALID])
def test_valid_vignette(vignette: dict[str, Any]) -> None:
    """A valid vignette gives its pathway, urgency, therapy types and cautions."""
    result = recommend(vignette["answers"]).to_dict()
    caution_codes = {c["code"] for c in result["cautions"]}
    assert result["pathway"] == vignette["pathway"]
    assert result["urgency"] == vignette["urgency"]
    assert result["therapy_types"] == vignette["therapy_types"]
    assert set(vignette["cautions"]) <= caution_codes
    assert not set(vignette["no_cautions"]) & caution_codes
    assert result["reasons"]
    assert result["rules_version"] == RULES_VERSION


@pytest.mark.parametrize("vignette", INVALID, ids=[v["id"] for v in INVALID])
def test_invalid_vignette(vignette: dict[str, Any]) -> None:
    """An invalid vignette raises ScreeningError naming every key it lists."""
    with pytest.raises(ScreeningError) as caught:
        recommend(vignette["answers"])
    for key in vignette["errors"]:
        assert key in caught.value.errors
        assert caught.value.errors[key].strip()
