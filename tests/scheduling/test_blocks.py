"""Blocks: a calendar's booked time as it comes from the database, checked and merged in one pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling import Blocks, Interval, TherapistCalendar, WorkingHours, open_slots

TZ = ZoneInfo("America/Edmonton")


def at(hour: int, minute: int = 0) -> datetime:
    """An instant on 8 June 2026 in UTC."""
    return datetime(2026, 6, 8, hour, minute, tzinfo=UTC)


def pairs(blocks: Blocks) -> list[tuple[datetime, datetime]]:
    """The blocks as (start, end) pairs, read back through the Intervals they give."""
    return [(item.start, item.end) for item in blocks]


def test_touching_and_overlapping_spans_make_one_block() -> None:
    blocks = Blocks([(at(9), at(10)), (at(10), at(11)), (at(10, 30), at(10, 45)), (at(12), at(13)),
                     (at(12, 30), at(14)), (at(15), at(15))])  # the last is empty: it blocks nothing
    assert pairs(blocks) == [(at(9), at(11)), (at(12), at(14))]
    assert len(blocks) == 2
    assert blocks == Blocks([(at(9), at(11)), (at(12), at(14))]) != Blocks([(at(9), at(11))])


def test_instants_in_another_zone_come_out_in_utc() -> None:
    local = [(at(16).astimezone(TZ), at(17).astimezone(TZ)), (at(17).astimezone(TZ), at(18))]
    blocks = Blocks(local)
    assert pairs(blocks) == [(at(16), at(18))]
    assert all(instant.tzinfo is UTC for instant in [*blocks.starts, *blocks.ends])


@pytest.mark.parametrize(("spans", "message"), [
    ([(at(10), at(9))], "must not end before it starts"),
    ([(at(12), at(13)), (at(9), at(10))], "sorted by their start"),
    ([(at(9).replace(tzinfo=None), at(10).replace(tzinfo=None))], "timezone-aware"),
])
def test_what_an_interval_refuses_blocks_refuse(spans: list[tuple[datetime, datetime]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Blocks(spans)


def test_intervals_in_any_order_and_more_added() -> None:
    intervals = [Interval(at(12), at(13)), Interval(at(9).astimezone(TZ), at(10).astimezone(TZ))]
    blocks = Blocks.of(intervals)
    assert pairs(blocks) == [(at(9), at(10)), (at(12), at(13))]
    assert Blocks.of(blocks) is blocks
    assert pairs(blocks.adding([Interval(at(10), at(12))])) == [(at(9), at(13))]
    assert pairs(blocks) == [(at(9), at(10)), (at(12), at(13))]  # adding makes new blocks


def test_a_calendar_with_blocks_offers_what_it_offers_with_intervals() -> None:
    hours = [WorkingHours(0, datetime(2026, 6, 8, 8).time(), datetime(2026, 6, 8, 18).time())]
    busy = [Interval(at(16), at(17)), Interval(at(17), at(18, 15)), Interval(at(21), at(22))]
    away = [Interval(at(19), at(20))]
    search = {"duration": timedelta(minutes=30), "buffer": timedelta(minutes=15), "date_from": at(0).date(),
              "date_to": at(0).date(), "now": at(0) - timedelta(days=7), "tz": TZ}
    with_intervals = open_slots(TherapistCalendar(1, hours, away, busy), **search)
    with_blocks = open_slots(TherapistCalendar(1, hours, away, Blocks.of(busy)), **search)
    assert with_blocks == with_intervals
    assert at(18, 15) in {slot.starts_at for slot in with_blocks}
    assert not {at(16), at(17), at(19), at(21)} & {slot.starts_at for slot in with_blocks}
