"""back_to_back: a slot of one list with the slot of the other that starts right when it ends, the same day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.scheduling import Slot, back_to_back

TZ = ZoneInfo("America/Edmonton")
MONDAY = date(2026, 6, 8)
HOUR = timedelta(hours=1)


def slot(therapist_id: int, hour: int, minute: int = 0, day: date = MONDAY, length: timedelta = HOUR) -> Slot:
    """A slot starting at a local time on ``day``."""
    start = datetime.combine(day, time(hour, minute), TZ)
    return Slot(therapist_id, start, start + length)


def test_pairs_each_first_slot_with_the_second_that_starts_at_its_end() -> None:
    massages = [slot(1, 9), slot(1, 10), slot(1, 13)]
    physios = [slot(2, 10), slot(2, 11, 30), slot(2, 14)]
    assert back_to_back(massages, physios, TZ) == [(massages[0], physios[0]), (massages[2], physios[2])]


def test_a_gap_or_an_overlap_is_no_pair() -> None:
    massages = [slot(1, 9), slot(1, 11)]
    physios = [slot(2, 10, 15), slot(2, 11, 45)]
    assert back_to_back(massages, physios, TZ) == []


def test_a_pair_never_spans_two_local_days() -> None:
    late = slot(1, 23)
    next_morning = Slot(2, late.ends_at, late.ends_at + HOUR)
    assert back_to_back([late], [next_morning], TZ) == []
