"""The picker's times near one just taken, over one therapist's open times."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import time_machine
from flask import Flask

from booking.flows.picker import TherapistSlots, nearby_choices
from booking.forms.visits import format_start
from tests.factories import AppointmentFactory, Clinic, local, small_clinic

NOW = local(2026, 11, 30, 8)


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic (therapists free 08:00-20:00 every day) on a clock frozen at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def starts(choices: list[tuple[str, str]]) -> list[str]:
    """The start times of radio choices, as the form sends them."""
    return [value for value, _ in choices]


def test_the_times_near_one_taken_are_the_nearest_of_its_day_then_the_following_days(clinic: Clinic) -> None:
    therapist = clinic.physiotherapists[0]
    for hour in range(8, 19):
        if hour != 12:
            AppointmentFactory(therapist=therapist, service=clinic.physio, starts_at=local(2026, 12, 2, hour))
    slots = TherapistSlots(clinic.physio, therapist.id)
    following = [format_start(local(2026, 12, 3, 8, minute)) for minute in (0, 15, 30, 45)]
    in_time_order = nearby_choices(slots, local(2026, 12, 2, 18))
    assert starts(in_time_order) == [format_start(local(2026, 12, 2, hour)) for hour in (12, 19)] + following
    assert in_time_order[0][1] == "Wednesday December 2 at 12:00 p.m. MST"
    nearest_first = nearby_choices(replace(slots, words=replace(slots.words, nearest_first=True)),
                                   local(2026, 12, 2, 18))
    assert starts(nearest_first) == [format_start(local(2026, 12, 2, hour)) for hour in (19, 12)] + following


def test_the_times_near_one_outside_the_booking_window(clinic: Clinic) -> None:
    slots = TherapistSlots(clinic.physio, None)
    assert nearby_choices(slots, local(2027, 6, 1, 10)) == []
    assert starts(nearby_choices(slots, local(2026, 11, 1, 10)))[0] == format_start(local(2026, 11, 30, 10))
