"""Who a freed time is offered to, in what order, and how long an offer waits for its claim.

An *opening* is a time that became free on one therapist's calendar; a *waiting entry* is a patient (or a care
plan's session that could not be placed) waiting for a time of one service. The parts of the day are the time
grid's (``booking.scheduling.plans``: morning before 12:00, afternoon 12:00-17:00, evening from 17:00, local),
read at the opening's start in the opening's zone, like the days of the week (Monday 0 to Sunday 6).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from booking.scheduling.plans import AFTERNOON, EVENING, MASSAGE, MORNING, PartOfDay

PARTS_OF_DAY: tuple[PartOfDay, ...] = (MORNING, AFTERNOON, EVENING)
ALL_DAYS: frozenset[int] = frozenset(range(7))
DEFAULT_CLAIM_WINDOW = timedelta(minutes=30)
MINIMUM_CLAIM_WINDOW = timedelta(minutes=5)


def _require_aware(**instants: datetime) -> None:
    for name, instant in instants.items():
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class WaitingEntry:
    """One place on the waitlist.

    ``service_code`` is the service waited for (of ``therapy_type``); with ``pair_with`` (a physiotherapy
    service's code) the entry waits for a back-to-back pair, massage then physiotherapy, and only an opening
    that holds both services fits it. ``therapist_id`` is the therapist asked for, or None for anyone.
    ``days`` (0 Monday to 6 Sunday) and ``parts`` (of ``PARTS_OF_DAY``) are when a time suits; ``until`` is
    the first moment the entry no longer waits (a time must also start before it); ``joined_at`` when it
    joined; ``plan_session`` whether it is a care plan's session, which goes ahead of everyone else.
    """

    id: int
    service_code: str
    therapy_type: str
    days: frozenset[int]
    parts: frozenset[PartOfDay]
    until: datetime
    joined_at: datetime
    therapist_id: int | None = None
    plan_session: bool = False
    pair_with: str | None = None

    def __post_init__(self) -> None:
        _require_aware(until=self.until, joined_at=self.joined_at)
        if not self.days or not self.days <= ALL_DAYS:
            raise ValueError("days must be a non-empty set of weekdays, 0 (Monday) to 6 (Sunday)")
        if not self.parts or not self.parts <= set(PARTS_OF_DAY):
            raise ValueError("parts must be a non-empty set of the parts of the day")
        if self.pair_with is not None and self.therapy_type != MASSAGE:
            raise ValueError("a pair is massage then physiotherapy: its first service must be a massage")
        if self.until <= self.joined_at:
            raise ValueError("an entry must wait until after it joined")

    @property
    def services(self) -> frozenset[str]:
        """The services the entry would book: one, or a pair's two."""
        return frozenset({self.service_code} | ({self.pair_with} if self.pair_with else set()))


@dataclass(frozen=True)
class Opening:
    """A freed time: one therapist's, of one therapy type, ``starts_at`` to ``ends_at`` (aware, UTC).

    ``services`` are the codes of the services it could hold (for a pair's second, physiotherapy starting
    exactly when the massage ends: the caller checks that calendar); ``zone`` is the clinic's.
    """

    therapist_id: int
    therapy_type: str
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo
    services: frozenset[str]

    def __post_init__(self) -> None:
        _require_aware(starts_at=self.starts_at, ends_at=self.ends_at)
        if self.ends_at <= self.starts_at:
            raise ValueError("an opening must end after it starts")

    @cached_property
    def local_start(self) -> datetime:
        """The start in the clinic's zone, where the days and parts of the day are read."""
        return self.starts_at.astimezone(self.zone)


def fits(entry: WaitingEntry, opening: Opening, now: datetime, minimum_notice: timedelta) -> bool:
    """Whether ``opening`` may be offered to ``entry`` at ``now``.

    It may when the opening starts no sooner than ``minimum_notice`` after ``now``, the entry still waits at
    ``now`` and at the start, the therapy type matches, the therapist is the one named (if one is), every
    service of the entry is one the opening holds, and the start falls on a day and in a part of the day that
    suit the entry (local, in the opening's zone).
    """
    start = opening.local_start
    return (opening.starts_at >= now + minimum_notice
            and now < entry.until and opening.starts_at < entry.until
            and entry.therapy_type == opening.therapy_type
            and entry.therapist_id in (None, opening.therapist_id)
            and entry.services <= opening.services
            and start.weekday() in entry.days
            and any(part.holds(start, opening.zone) for part in entry.parts))


def priority(entry: WaitingEntry, opening: Opening) -> tuple[bool, datetime, bool, int, int, int]:
    """The sort key of an entry that fits ``opening``: smaller goes first.

    Care plans' sessions first; then the longest waiting (earliest ``joined_at``); then the closest match,
    which is, in turn: an entry that named this opening's therapist before one that takes anyone; then the
    entry accepting fewer parts of the day, then fewer days of the week (the opening is more nearly what it
    asked for, and it has fewer other chances); last the smaller id, so the order is total.
    """
    return (not entry.plan_session, entry.joined_at, entry.therapist_id != opening.therapist_id,
            len(entry.parts), len(entry.days), entry.id)


def ranked(entries: Iterable[WaitingEntry], opening: Opening, now: datetime, minimum_notice: timedelta,
           limit: int) -> list[WaitingEntry]:
    """The first ``limit`` entries that ``opening`` fits, in ``priority`` order: whom to offer it to."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    fitting = (entry for entry in entries if fits(entry, opening, now, minimum_notice))
    return heapq.nsmallest(limit, fitting, key=lambda entry: priority(entry, opening))


def claim_window(now: datetime, starts_at: datetime, minimum_notice: timedelta,
                 default: timedelta = DEFAULT_CLAIM_WINDOW) -> timedelta | None:
    """How long an offer made at ``now`` of a time starting at ``starts_at`` waits for its claim.

    The last moment a booking is allowed is ``starts_at - minimum_notice``. The window is a third of the
    time left until then, in whole minutes, at most ``default`` and at least ``MINIMUM_CLAIM_WINDOW`` (5
    minutes); None (no offer) when less than that is left, so a window never runs past the last moment.
    """
    _require_aware(now=now, starts_at=starts_at)
    left = starts_at - minimum_notice - now
    if left < MINIMUM_CLAIM_WINDOW or default <= timedelta(0):
        return None
    third = timedelta(minutes=(left / 3) // timedelta(minutes=1))
    return min(default, max(third, MINIMUM_CLAIM_WINDOW))
