"""Blocked time (Blocks) with fast overlap queries: bisection, a sweep, prefix sums."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta
from itertools import accumulate

from .model import Blocks

Span = tuple[datetime, datetime]


class Timeline:
    """Queries over Blocks: disjoint, sorted half-open UTC spans."""

    def __init__(self, blocks: Blocks) -> None:
        self.starts = starts = blocks.starts
        self.ends = ends = blocks.ends
        # before[k]: the total length of the first k spans, so that a total over any window is a subtraction
        self.before = list(accumulate((end - start for start, end in zip(starts, ends, strict=True)),
                                      initial=timedelta()))

    def free_ranges(self, first: datetime, last: datetime, reach: timedelta) -> list[Span]:
        """The ranges [a, b], both included, of the starts ``s`` in [first, last] for which [s, s + reach)
        overlaps no span: each gap between two spans gives at most one, so a search works out a shift's open
        times per gap rather than testing every candidate start against the spans."""
        starts, ends = self.starts, self.ends
        index = bisect_right(ends, first)  # the first span that ends after ``first``
        ranges: list[Span] = []
        low = first
        while low <= last:
            if index == len(starts):
                ranges.append((low, last))
                break
            high = min(last, starts[index] - reach)
            if low <= high:
                ranges.append((low, high))
            low = ends[index]
            index += 1
        return ranges

    def total_within(self, start: datetime, end: datetime) -> timedelta:
        """The total length of the spans' overlap with [start, end): the spans that touch it, less what the first
        one begins before it and the last one ends after it."""
        index = bisect_right(self.ends, start)
        stop = bisect_left(self.starts, end)
        if index >= stop:
            return timedelta()
        return (self.before[stop] - self.before[index] - max(start - self.starts[index], timedelta())
                - max(self.ends[stop - 1] - end, timedelta()))
