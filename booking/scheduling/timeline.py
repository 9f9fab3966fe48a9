"""Sorted, merged UTC spans with fast overlap queries (bisect and sweep)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from .model import Interval

Span = tuple[datetime, datetime]


def _utc(instant: datetime) -> datetime:
    """``instant`` as a UTC datetime, skipping the conversion when it already is one."""
    return instant if instant.tzinfo is UTC else instant.astimezone(UTC)


def utc_spans(intervals: Iterable[Interval]) -> list[Span]:
    """The non-empty intervals as (start, end) pairs in UTC."""
    return [(_utc(item.start), _utc(item.end)) for item in intervals if item.end > item.start]


class Timeline:
    """Disjoint, sorted half-open UTC spans merged from possibly overlapping ones."""

    def __init__(self, spans: Iterable[Span]) -> None:
        starts: list[datetime] = []
        ends: list[datetime] = []
        for start, end in sorted(spans):
            if ends and start <= ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        self.starts = starts
        self.ends = ends

    def is_free(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) overlaps no span (touching is allowed)."""
        index = bisect_right(self.ends, start)
        return index == len(self.starts) or self.starts[index] >= end

    def free_starts(self, candidates: Sequence[datetime], reach: timedelta) -> list[datetime]:
        """The sorted candidates ``s`` for which [s, s + reach) overlaps no span."""
        if not candidates:
            return []
        starts, ends = self.starts, self.ends
        count = len(ends)
        index = bisect_right(ends, candidates[0])
        free: list[datetime] = []
        for candidate in candidates:
            while index < count and ends[index] <= candidate:
                index += 1
            if index == count or starts[index] >= candidate + reach:
                free.append(candidate)
        return free

    def total_within(self, start: datetime, end: datetime) -> timedelta:
        """The total length of the spans' overlap with [start, end)."""
        total = timedelta()
        index = bisect_right(self.ends, start)
        stop = bisect_left(self.starts, end)
        for span_start, span_end in zip(self.starts[index:stop], self.ends[index:stop], strict=True):
            total += min(span_end, end) - max(span_start, start)
        return total
