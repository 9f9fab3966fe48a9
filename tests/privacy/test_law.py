"""Each record's law: physiotherapy under the HIA, massage under PIPA, a record of both under the HIA."""

from __future__ import annotations

import pytest

from booking.privacy.law import HIA, PIPA, law_for, law_for_all
from booking.routing import THERAPY_TYPES


def test_physiotherapy_is_under_the_health_information_act() -> None:
    assert law_for("physiotherapy").code == "HIA"
    assert law_for("physiotherapy").name == "Health Information Act (Alberta)"


def test_massage_is_under_pipa() -> None:
    assert law_for("massage").code == "PIPA"
    assert law_for("massage").name == "Personal Information Protection Act (Alberta)"


def test_every_therapy_type_has_a_law() -> None:
    assert {law_for(therapy_type) for therapy_type in THERAPY_TYPES} == {HIA, PIPA}


@pytest.mark.parametrize(("types", "law"), [
    (["physiotherapy", "massage"], HIA),
    (["massage", "physiotherapy"], HIA),
    (["massage"], PIPA),
    (["physiotherapy"], HIA),
    ([], HIA),
])
def test_a_record_of_both_or_of_no_therapy_is_under_the_hia(types: list[str], law: object) -> None:
    assert law_for_all(types) == law
