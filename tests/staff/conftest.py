"""The fixtures the staff pages' tests share: the clock, and a therapist's login made on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask

from booking.models import StaffUser
from tests.staff.therapist_pages import massage_therapist
from tests.staff_fixtures import WEDNESDAY_MORNING


@pytest.fixture
def clock(app: Flask) -> Iterator[time_machine.Coordinates]:
    """The clock at Wednesday 2026-12-02 08:00 in Calgary, moved by the tests."""
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def therapist(clock: time_machine.Coordinates) -> StaffUser:
    """A massage therapist's staff login, made at the clock's moment."""
    return massage_therapist()
