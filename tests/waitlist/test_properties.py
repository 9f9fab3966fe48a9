"""Hypothesis properties of the waitlist's rules, over random entries and openings across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from booking.waitlist import MINIMUM_CLAIM_WINDOW, PARTS_OF_DAY, Opening, WaitingEntry, claim_window, fits, ranked
from booking.waitlist.rules import priority

NOW = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)  # the day before Edmonton's clocks go forward
ZONES = st.sampled_from([ZoneInfo("America/Edmonton"), ZoneInfo("Europe/London"), ZoneInfo("Australia/Lord_Howe")])
SERVICES = ("MASSAGE60", "MASSAGE90", "PHYSIO45")
minutes = st.integers(min_value=-3 * 24 * 60, max_value=10 * 24 * 60).map(lambda n: NOW + timedelta(minutes=n))
notices = st.integers(min_value=0, max_value=12 * 60).map(lambda n: timedelta(minutes=n))


@st.composite
def entries(draw: st.DrawFn, number: int) -> WaitingEntry:
    therapy = draw(st.sampled_from(["massage", "physiotherapy"]))
    joined_at = NOW - timedelta(minutes=draw(st.integers(min_value=2 * 24 * 60 + 1, max_value=30 * 24 * 60)))
    return WaitingEntry(
        id=number, service_code=draw(st.sampled_from(SERVICES[:2])) if therapy == "massage" else SERVICES[2],
        therapy_type=therapy,
        days=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        parts=frozenset(draw(st.sets(st.sampled_from(PARTS_OF_DAY), min_size=1))),
        until=NOW + timedelta(minutes=draw(st.integers(min_value=-2 * 24 * 60, max_value=20 * 24 * 60))),
        joined_at=joined_at, therapist_id=draw(st.none() | st.integers(1, 3)), plan_session=draw(st.booleans()),
        pair_with=draw(st.none() | st.just("PHYSIO45")) if therapy == "massage" else None)


@st.composite
def waitlists(draw: st.DrawFn) -> list[WaitingEntry]:
    return [draw(entries(number)) for number in range(draw(st.integers(min_value=0, max_value=25)))]


@st.composite
def openings(draw: st.DrawFn) -> Opening:
    starts_at = draw(minutes)
    return Opening(therapist_id=draw(st.integers(1, 3)), therapy_type=draw(st.sampled_from(["massage", "physiotherapy"])),
                   starts_at=starts_at, ends_at=starts_at + timedelta(minutes=60), zone=draw(ZONES),
                   services=frozenset(SERVICES) - draw(st.sets(st.sampled_from(SERVICES), max_size=1)))


@given(waitlists(), openings(), minutes, notices, st.integers(min_value=0, max_value=30))
def test_ranked_is_the_first_fitting_entries_in_priority_order(
        waiting: list[WaitingEntry], opening: Opening, now: datetime, notice: timedelta, limit: int) -> None:
    chosen = ranked(waiting, opening, now, notice, limit)
    fitting = sorted((e for e in waiting if fits(e, opening, now, notice)), key=lambda e: priority(e, opening))
    assert chosen == fitting[:limit]
    assert len(chosen) <= limit


@given(waitlists(), openings(), minutes, notices, st.integers(min_value=0, max_value=30))
def test_no_offer_inside_the_notice_nor_to_an_expired_entry(
        waiting: list[WaitingEntry], opening: Opening, now: datetime, notice: timedelta, limit: int) -> None:
    for chosen in ranked(waiting, opening, now, notice, limit):
        assert opening.starts_at - notice >= now
        assert now < chosen.until and opening.starts_at < chosen.until
        assert chosen.services <= opening.services
        assert chosen.therapist_id in (None, opening.therapist_id)


@given(waitlists(), openings(), notices)
def test_plan_sessions_always_come_before_the_others(
        waiting: list[WaitingEntry], opening: Opening, notice: timedelta) -> None:
    chosen = ranked(waiting, opening, NOW, notice, limit=len(waiting))
    plans = [e.plan_session for e in chosen]
    assert plans == sorted(plans, reverse=True)
    left_out = [e for e in waiting if fits(e, opening, NOW, notice) and e not in chosen]
    assert not left_out


@given(waitlists(), openings(), notices, st.integers(min_value=1, max_value=5))
def test_a_plan_session_that_fits_is_never_left_for_another(
        waiting: list[WaitingEntry], opening: Opening, notice: timedelta, limit: int) -> None:
    chosen = ranked(waiting, opening, NOW, notice, limit)
    if any(not e.plan_session for e in chosen):
        assert all(e in chosen for e in waiting if e.plan_session and fits(e, opening, NOW, notice))


@given(minutes, minutes, notices, st.integers(min_value=1, max_value=120).map(lambda n: timedelta(minutes=n)))
def test_a_claim_window_never_runs_past_the_last_moment_to_book(
        now: datetime, starts_at: datetime, notice: timedelta, default: timedelta) -> None:
    window = claim_window(now, starts_at, notice, default)
    last_moment = starts_at - notice
    if window is None:
        assert last_moment - now < MINIMUM_CLAIM_WINDOW
    else:
        assert now + window <= last_moment
        assert min(default, MINIMUM_CLAIM_WINDOW) <= window <= default
        assert window % timedelta(minutes=1) == timedelta(0)
