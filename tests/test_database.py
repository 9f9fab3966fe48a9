"""Reading a row by an id someone typed: any number at all answers a row or none, never a database error."""

from __future__ import annotations

import pytest
from flask import Flask

from booking.database import LARGEST_ID, get_or_none, parse_id
from booking.models import Therapist
from tests.factories import TherapistFactory


def test_get_or_none_finds_the_row_with_that_id(app: Flask) -> None:
    therapist = TherapistFactory()
    assert get_or_none(Therapist, therapist.id) is therapist


@pytest.mark.parametrize("row_id", [0, -1, LARGEST_ID, LARGEST_ID + 1, 10**20])
def test_get_or_none_answers_none_for_an_id_no_row_has(app: Flask, row_id: int) -> None:
    TherapistFactory()
    assert get_or_none(Therapist, row_id) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("7", 7), (" 12 ", 12), (None, None), ("", None), ("0", None), ("-3", None), ("1.5", None), ("١٢", None),
    ("9" * 19, None), ("9" * 5000, None), (str(LARGEST_ID), LARGEST_ID), (str(LARGEST_ID + 1), None)])
def test_an_id_in_a_link_is_a_storable_whole_number_or_nothing(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected
