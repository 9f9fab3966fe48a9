"""Worked examples of the waitlist's rules: what fits an opening, in what order, and for how long it is held."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.plans import AFTERNOON, EVENING, MORNING
from booking.waitlist import ALL_DAYS, PARTS_OF_DAY, Opening, WaitingEntry, claim_window, fits, ranked

EDMONTON = ZoneInfo("America/Edmonton")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 08:00 in Edmonton
NOTICE = timedelta(hours=2)
# Tuesday 8 December 2026, 10:00 to 11:00 in Edmonton (17:00-18:00 UTC): a massage therapist's freed hour.
OPENING = Opening(therapist_id=7, therapy_type="massage", starts_at=datetime(2026, 12, 8, 17, 0, tzinfo=UTC),
                  ends_at=datetime(2026, 12, 8, 18, 0, tzinfo=UTC), zone=EDMONTON,
                  services=frozenset({"MASSAGE60", "PHYSIO45"}))


def entry(number: int, **changes: object) -> WaitingEntry:
    """An entry for a 60-minute massage, with anyone, any day, any time, waiting a week from ``number`` hours ago."""
    base = WaitingEntry(id=number, service_code="MASSAGE60", therapy_type="massage", days=ALL_DAYS,
                        parts=frozenset(PARTS_OF_DAY), until=NOW + timedelta(days=7),
                        joined_at=NOW - timedelta(hours=100 - number))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_entry_that_takes_any_time_fits() -> None:
    assert fits(entry(1), OPENING, NOW, NOTICE)


@pytest.mark.parametrize(("changes", "why"), [
    ({"therapy_type": "physiotherapy", "service_code": "PHYSIO45"}, "another therapy"),
    ({"therapist_id": 8}, "another therapist named"),
    ({"service_code": "MASSAGE90"}, "a service the opening cannot hold"),
    ({"pair_with": "PHYSIO60"}, "a pair whose second service it cannot hold"),
    ({"days": frozenset({0, 2, 3, 4})}, "Tuesday does not suit"),
    ({"parts": frozenset({AFTERNOON, EVENING})}, "10:00 local is the morning"),
    ({"until": OPENING.starts_at}, "waits only until the time starts"),
])
def test_an_entry_the_opening_does_not_suit(changes: dict, why: str) -> None:
    assert not fits(entry(1, **changes), OPENING, NOW, NOTICE), why


def test_the_named_therapist_a_pair_and_the_local_part_of_day_fit() -> None:
    assert fits(entry(1, therapist_id=7, pair_with="PHYSIO45", days=frozenset({1}), parts=frozenset({MORNING})),
                OPENING, NOW, NOTICE)


def test_an_expired_entry_never_fits() -> None:
    later = NOW + timedelta(days=1)
    assert fits(entry(1, until=later + timedelta(days=1)), OPENING, NOW, NOTICE)
    assert not fits(entry(1, until=later), OPENING, later, timedelta(0))


def test_a_time_inside_the_minimum_notice_is_never_offered() -> None:
    last_moment = OPENING.starts_at - NOTICE
    assert fits(entry(1), OPENING, last_moment, NOTICE)
    assert not fits(entry(1), OPENING, last_moment + timedelta(seconds=1), NOTICE)
    assert ranked([entry(1)], OPENING, last_moment + timedelta(seconds=1), NOTICE, limit=5) == []


def test_plan_sessions_first_then_longest_waiting_then_closest_match() -> None:
    newest_plan = entry(90, plan_session=True)
    oldest = entry(1)
    same_time = NOW - timedelta(days=3)
    anyone = entry(10, joined_at=same_time)
    named = entry(11, joined_at=same_time, therapist_id=7)
    mornings = entry(12, joined_at=same_time, parts=frozenset({MORNING}))
    tuesdays_mornings = entry(13, joined_at=same_time, parts=frozenset({MORNING}), days=frozenset({1}))
    unfit = entry(0, plan_session=True, therapy_type="physiotherapy")
    order = ranked([anyone, mornings, unfit, oldest, tuesdays_mornings, named, newest_plan], OPENING, NOW, NOTICE,
                   limit=10)
    assert order == [newest_plan, oldest, named, tuesdays_mornings, mornings, anyone]


def test_the_limit_is_how_many_are_offered_at_once() -> None:
    entries = [entry(number) for number in range(1, 6)]
    assert ranked(entries, OPENING, NOW, NOTICE, limit=1) == [entries[0]]
    assert ranked(entries, OPENING, NOW, NOTICE, limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        ranked(entries, OPENING, NOW, NOTICE, limit=-1)


def test_days_and_parts_of_the_day_are_read_in_the_clinic_zone() -> None:
    # 2026-12-09 05:30 UTC is Tuesday 22:30 in Edmonton: Tuesday evening there, Wednesday morning in UTC.
    late = replace(OPENING, starts_at=datetime(2026, 12, 9, 5, 30, tzinfo=UTC),
                   ends_at=datetime(2026, 12, 9, 6, 30, tzinfo=UTC))
    assert fits(entry(1, days=frozenset({1}), parts=frozenset({EVENING})), late, NOW, NOTICE)
    assert not fits(entry(1, days=frozenset({2}), parts=frozenset({MORNING})), late, NOW, NOTICE)


@pytest.mark.parametrize(("left", "window"), [
    (timedelta(hours=5), timedelta(minutes=30)),     # plenty of time: the default
    (timedelta(minutes=90), timedelta(minutes=30)),  # a third is exactly the default
    (timedelta(minutes=60), timedelta(minutes=20)),  # a third of the time left
    (timedelta(minutes=50), timedelta(minutes=16)),  # in whole minutes, rounded down
    (timedelta(minutes=12), timedelta(minutes=5)),   # never under five minutes
    (timedelta(minutes=5), timedelta(minutes=5)),    # exactly five left: five
    (timedelta(minutes=4, seconds=59), None),        # too late to claim: no offer
    (timedelta(minutes=-10), None),                  # already inside the notice
])
def test_the_claim_window_shrinks_as_the_time_nears(left: timedelta, window: timedelta | None) -> None:
    starts_at = NOW + NOTICE + left
    assert claim_window(NOW, starts_at, NOTICE) == window


def test_a_claim_window_other_than_the_default() -> None:
    far = NOW + timedelta(days=2)
    assert claim_window(NOW, far, NOTICE, default=timedelta(minutes=10)) == timedelta(minutes=10)


@pytest.mark.parametrize(("changes", "message"), [
    ({"days": frozenset()}, "days"), ({"days": frozenset({7})}, "days"), ({"parts": frozenset()}, "parts"),
    ({"until": NOW - timedelta(days=200)}, "after it joined"),
    ({"joined_at": datetime(2026, 12, 1)}, "timezone-aware"),
    ({"therapy_type": "physiotherapy", "pair_with": "MASSAGE60"}, "massage then physiotherapy"),
])
def test_a_malformed_entry_is_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry(1, **changes)


def test_an_opening_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        replace(OPENING, ends_at=OPENING.starts_at)
