"""The plan finder: examples a clinic would recognise, then properties over random calendars and plans."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.scheduling import (
    Course,
    Interval,
    PlanProposal,
    PlanRequest,
    ProposedVisit,
    SlotRules,
    TherapistCalendar,
    WorkingHours,
    is_bookable,
    propose_plan,
)
from booking.scheduling.plans import AFTERNOON, MASSAGE, MORNING, PHYSIOTHERAPY, PartOfDay

TZ = ZoneInfo("America/Edmonton")
MONDAY = date(2027, 1, 11)
MINUTE = timedelta(minutes=1)
PHYSIO_ID, MASSAGE_ID = 1, 2


def weekdays(therapist_id: int, start: time = time(9), end: time = time(17), *,
             busy: tuple[Interval, ...] = (), time_off: tuple[Interval, ...] = ()) -> TherapistCalendar:
    """A therapist working ``start``-``end`` Monday to Friday."""
    return TherapistCalendar(therapist_id, [WorkingHours(day, start, end) for day in range(5)],
                             time_off=time_off, busy=busy)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware local time of the clinic."""
    return datetime.combine(day, time(hour, minute), TZ)


def plan(physio: TherapistCalendar | None = None, massage: TherapistCalendar | None = None, *,
         start: date = MONDAY, physio_sessions: int = 6, massage_sessions: int = 3, physio_every: int = 7,
         massage_every: int = 14, tolerance: int = 2, back_to_back: bool = True,
         preferred: PartOfDay | None = None, rules: SlotRules = SlotRules()) -> PlanProposal:
    """A plan like the clinic's usual one (physiotherapy 45 min, massage 60 min + 15 min buffer)."""
    return propose_plan(PlanRequest(
        physiotherapy=Course(physio or weekdays(PHYSIO_ID), timedelta(minutes=45), timedelta(), physio_sessions,
                             physio_every),
        massage=Course(massage or weekdays(MASSAGE_ID), timedelta(minutes=60), timedelta(minutes=15),
                       massage_sessions, massage_every),
        start=start, tolerance_days=tolerance, back_to_back=back_to_back, now=local(start - timedelta(days=7), 12),
        tz=TZ, rules=rules, preferred=preferred))


def table(proposal: PlanProposal) -> list[tuple[str, int, str, str, int | None]]:
    """(discipline, session, local start, local end, pair) of each visit, easy to read in a failure."""
    return [(visit.discipline, visit.session, visit.starts_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
             visit.ends_at.astimezone(TZ).strftime("%H:%M"), visit.pair) for visit in proposal.visits]


def test_six_week_plan_weekly_physiotherapy_fortnightly_massage_back_to_back() -> None:
    proposal = plan()
    assert proposal.gaps == ()
    assert table(proposal) == [
        (MASSAGE, 1, "2027-01-11 09:00", "10:00", 1), (PHYSIOTHERAPY, 1, "2027-01-11 10:00", "10:45", 1),
        (PHYSIOTHERAPY, 2, "2027-01-18 09:00", "09:45", None),
        (MASSAGE, 2, "2027-01-25 09:00", "10:00", 2), (PHYSIOTHERAPY, 3, "2027-01-25 10:00", "10:45", 2),
        (PHYSIOTHERAPY, 4, "2027-02-01 09:00", "09:45", None),
        (MASSAGE, 3, "2027-02-08 09:00", "10:00", 3), (PHYSIOTHERAPY, 5, "2027-02-08 10:00", "10:45", 3),
        (PHYSIOTHERAPY, 6, "2027-02-15 09:00", "09:45", None),
    ]
    assert {visit.therapist_id for visit in proposal.visits if visit.discipline == MASSAGE} == {MASSAGE_ID}
    assert all(visit.starts_at.tzinfo is UTC for visit in proposal.visits)


def test_a_busy_target_day_moves_to_the_nearest_day_and_the_cadence_follows() -> None:
    tuesday = MONDAY + timedelta(days=8)
    busy = (Interval(local(MONDAY + timedelta(days=7), 9), local(MONDAY + timedelta(days=7), 17)),)
    proposal = plan(weekdays(PHYSIO_ID, busy=busy), physio_sessions=3, massage_sessions=0)
    assert [visit.starts_at for visit in proposal.visits] == [
        local(MONDAY, 9), local(tuesday, 9), local(tuesday + timedelta(days=7), 9)]


def test_a_week_off_is_reported_session_by_session() -> None:
    week_three = MONDAY + timedelta(days=14)
    away = (Interval(local(week_three - timedelta(days=3), 0), local(week_three + timedelta(days=3), 0)),)
    proposal = plan(weekdays(PHYSIO_ID, time_off=away))
    assert proposal.reasons == [
        "massage session 2: no common free time in week 3 for massage right before physiotherapy session 3 "
        "(within 2 days of 2027-01-25)",
        "physiotherapy session 3: no open time within 2 days of 2027-01-25",
    ]
    assert [(gap.discipline, gap.session, gap.target) for gap in proposal.gaps] == [
        (MASSAGE, 2, week_three), (PHYSIOTHERAPY, 3, week_three)]
    # The course goes on after the week off: the next targets count from the missed ones.
    assert [(visit.discipline, visit.session, visit.starts_at.date()) for visit in proposal.visits][-4:] == [
        (PHYSIOTHERAPY, 4, date(2027, 2, 1)), (MASSAGE, 3, date(2027, 2, 8)),
        (PHYSIOTHERAPY, 5, date(2027, 2, 8)), (PHYSIOTHERAPY, 6, date(2027, 2, 15))]


def test_no_common_free_morning_is_reported_with_its_week() -> None:
    week_three = MONDAY + timedelta(days=14)
    mornings = tuple(Interval(local(week_three + timedelta(days=offset), 9),
                              local(week_three + timedelta(days=offset), 12)) for offset in range(-3, 4))
    proposal = plan(massage=weekdays(MASSAGE_ID, busy=mornings), preferred=MORNING)
    assert proposal.reasons == [
        "massage session 2: no common free morning in week 3 for massage right before physiotherapy session 3 "
        "(within 2 days of 2027-01-25)"]
    assert [visit.starts_at for visit in proposal.visits
            if (visit.discipline, visit.session) == (PHYSIOTHERAPY, 3)] == [local(week_three, 9)]
    assert all(visit.starts_at.astimezone(TZ).hour < 12 for visit in proposal.visits)


def test_preferred_afternoons_and_no_free_afternoon() -> None:
    proposal = plan(weekdays(PHYSIO_ID, time(8), time(13)), physio_sessions=2, massage_sessions=0,
                    preferred=AFTERNOON, tolerance=1)
    assert table(proposal) == [(PHYSIOTHERAPY, 1, "2027-01-11 12:00", "12:45", None),
                               (PHYSIOTHERAPY, 2, "2027-01-18 12:00", "12:45", None)]
    proposal = plan(weekdays(PHYSIO_ID, time(8), time(12)), physio_sessions=1, massage_sessions=0,
                    preferred=AFTERNOON, tolerance=1)
    assert proposal.reasons == ["physiotherapy session 1: no free afternoon within 1 day of 2027-01-11"]


def test_pairs_need_both_therapists_free_back_to_back() -> None:
    # The physiotherapist is busy 10:00-11:00, so the first pair is massage 10:00, physiotherapy 11:00.
    busy = tuple(Interval(local(MONDAY + timedelta(days=days), 10), local(MONDAY + timedelta(days=days), 11))
                 for days in range(0, 42))
    proposal = plan(weekdays(PHYSIO_ID, busy=busy), physio_sessions=1, massage_sessions=1)
    assert table(proposal) == [(MASSAGE, 1, "2027-01-11 10:00", "11:00", 1),
                               (PHYSIOTHERAPY, 1, "2027-01-11 11:00", "11:45", 1)]


def test_the_massage_buffer_is_kept_before_the_massage_therapists_next_booking() -> None:
    # Free 09:15-10:30: a 60-minute massage and its 15-minute buffer just fit.
    busy = (Interval(local(MONDAY, 9), local(MONDAY, 9, 15)), Interval(local(MONDAY, 10, 30), local(MONDAY, 17)))
    proposal = plan(massage=weekdays(MASSAGE_ID, busy=busy), physio_sessions=1, massage_sessions=1, tolerance=0)
    assert table(proposal) == [(MASSAGE, 1, "2027-01-11 09:15", "10:15", 1),
                               (PHYSIOTHERAPY, 1, "2027-01-11 10:15", "11:00", 1)]
    # Free 09:15-10:15: the massage would fit, its buffer would not.
    busy = (busy[0], Interval(local(MONDAY, 10, 15), local(MONDAY, 17)))
    proposal = plan(massage=weekdays(MASSAGE_ID, busy=busy), physio_sessions=1, massage_sessions=1, tolerance=0)
    assert proposal.reasons == ["massage session 1: no common free time in week 1 for massage right before "
                                "physiotherapy session 1 (on 2027-01-11)"]
    assert table(proposal) == [(PHYSIOTHERAPY, 1, "2027-01-11 09:00", "09:45", None)]


def test_a_proposed_visit_and_its_buffer_stay_busy_for_the_next_one() -> None:
    # Monday 23:15-23:45 then Tuesday from midnight: the 30-minute buffer pushes Tuesday's visit to 00:15.
    late = TherapistCalendar(MASSAGE_ID, [WorkingHours(0, time(23, 15), time(23, 45)),
                                          WorkingHours(1, time(0), time(1))])
    proposal = propose_plan(PlanRequest(
        physiotherapy=Course(weekdays(PHYSIO_ID), 45 * MINUTE, timedelta(), 0, 7),
        massage=Course(late, 30 * MINUTE, 30 * MINUTE, 2, 1), start=MONDAY, tolerance_days=0, back_to_back=False,
        now=local(MONDAY - timedelta(days=7), 12), tz=TZ))
    assert table(proposal) == [(MASSAGE, 1, "2027-01-11 23:15", "23:45", None),
                               (MASSAGE, 2, "2027-01-12 00:15", "00:45", None)]


def test_without_back_to_back_the_patients_visits_do_not_overlap() -> None:
    proposal = plan(physio_sessions=1, massage_sessions=1, back_to_back=False)
    assert table(proposal) == [(PHYSIOTHERAPY, 1, "2027-01-11 09:00", "09:45", None),
                               (MASSAGE, 1, "2027-01-11 09:45", "10:45", None)]


def test_a_massage_with_no_physiotherapy_near_it_is_reported() -> None:
    proposal = plan(physio_sessions=3, massage_sessions=2, massage_every=10, tolerance=1)
    assert proposal.reasons == ["massage session 2: no physiotherapy session within 1 day of 2027-01-21 "
                                "to pair it with"]
    assert [visit.pair for visit in proposal.visits if visit.discipline == MASSAGE] == [1]


def test_sessions_beyond_the_booking_horizon_are_reported() -> None:
    # Searched on 2027-01-04 at noon: a 27-day horizon ends on 2027-01-31, before session 4's window opens.
    proposal = plan(physio_sessions=4, massage_sessions=0, rules=SlotRules(horizon_days=27))
    assert proposal.reasons == ["physiotherapy session 4: no open time within 2 days of 2027-02-01: the booking "
                                "horizon (27 days) ends on 2027-01-31"]
    assert plan(physio_sessions=4, massage_sessions=0, rules=SlotRules(horizon_days=29)).gaps == ()


def test_dst_week_keeps_local_times() -> None:
    # Clocks fall back on Sunday 2026-11-01: the visits keep 09:00 and 10:00 local, an hour later in UTC.
    proposal = plan(start=date(2026, 10, 26), physio_sessions=3, massage_sessions=3, massage_every=7)
    assert proposal.gaps == ()
    assert [visit.starts_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M %Z") for visit in proposal.visits] == [
        "2026-10-26 09:00 MDT", "2026-10-26 10:00 MDT", "2026-11-02 09:00 MST", "2026-11-02 10:00 MST",
        "2026-11-09 09:00 MST", "2026-11-09 10:00 MST"]
    assert proposal.visits[0].starts_at.hour == 15 and proposal.visits[2].starts_at.hour == 16


@pytest.mark.parametrize(("change", "message"), [
    ({"tolerance_days": 7}, "the tolerance must be shorter than the physiotherapy cadence"),
    ({"tolerance_days": -1}, "the tolerance must not be negative"),
    ({"tolerance_days": 16}, "the tolerance must be at most 15 days"),
    ({"now": datetime(2027, 1, 1, 12)}, "now must be timezone-aware"),
])
def test_bad_requests_are_refused_clearly(change: dict[str, object], message: str) -> None:
    fields = dict(physiotherapy=Course(weekdays(PHYSIO_ID), 45 * MINUTE, timedelta(), 6, 7),
                  massage=Course(weekdays(MASSAGE_ID), 60 * MINUTE, timedelta(), 3, 21), start=MONDAY,
                  tolerance_days=2, back_to_back=True, now=local(MONDAY, 9), tz=TZ)
    with pytest.raises(ValueError, match=message):
        PlanRequest(**{**fields, **change})


def test_one_therapist_cannot_be_both() -> None:
    with pytest.raises(ValueError, match="two different therapists"):
        plan(weekdays(PHYSIO_ID), weekdays(PHYSIO_ID))
    with pytest.raises(ValueError, match="cadence must be at least one day"):
        Course(weekdays(PHYSIO_ID), 45 * MINUTE, timedelta(), 2, 0)


# Properties over random calendars and plans, in weeks around the daylight-saving changes and in ordinary ones.
STARTS = [date(2026, 10, 26), date(2027, 3, 8), date(2027, 1, 11), date(2026, 7, 13)]
STEP = timedelta(minutes=15)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def shifts(draw: st.DrawFn) -> WorkingHours:
    """A weekly shift of 2 to 10 hours starting between 06:00 and 12:00."""
    start = draw(st.integers(24, 48))
    end = min(draw(st.integers(start + 8, start + 40)), 95)
    return WorkingHours(draw(st.integers(0, 6)), time(*divmod(start * 15, 60)), time(*divmod(end * 15, 60)))


@st.composite
def spans(draw: st.DrawFn, origin: datetime, longest: int) -> Interval:
    """A span on the 15-minute grid (real time) within nine weeks of ``origin``."""
    offset = draw(st.integers(0, 63 * 96))
    return Interval(origin + offset * STEP, origin + (offset + draw(st.integers(1, longest))) * STEP)


@st.composite
def calendars(draw: st.DrawFn, therapist_id: int, origin: datetime) -> TherapistCalendar:
    """Random weekly hours (or 08:00-18:00 on weekdays), bookings (buffer included) and time off."""
    weekdays_only = st.just([WorkingHours(day, time(8), time(18)) for day in range(5)])
    return TherapistCalendar(therapist_id, draw(weekdays_only | st.lists(shifts(), min_size=1, max_size=6)),
                             time_off=draw(st.lists(spans(origin, 96 * 3), max_size=2)),
                             busy=draw(st.lists(spans(origin, 32), max_size=60)))


@st.composite
def courses(draw: st.DrawFn, therapist_id: int, origin: datetime, minutes: list[int], buffers: list[int],
            cadences: st.SearchStrategy[int]) -> Course:
    """One discipline's calendar, service and sessions."""
    return Course(draw(calendars(therapist_id, origin)), timedelta(minutes=draw(st.sampled_from(minutes))),
                  timedelta(minutes=draw(st.sampled_from(buffers))), draw(st.integers(0, 5)), draw(cadences))


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    """A random plan request."""
    start = draw(st.sampled_from(STARTS)) + timedelta(days=draw(st.integers(0, 3)))
    origin = local(start, 0).astimezone(UTC) - timedelta(days=3)
    physio = draw(courses(PHYSIO_ID, origin, [30, 45, 60], [0, 15], st.integers(2, 10)))
    # Often a massage cadence that lines up with physiotherapy (the same or twice), so that pairs are common.
    lined_up = st.sampled_from([physio.cadence_days, 2 * physio.cadence_days])
    massage = draw(courses(MASSAGE_ID, origin, [30, 60, 90], [0, 15, 30], lined_up | st.integers(2, 14)))
    return PlanRequest(
        physiotherapy=physio, massage=massage, start=start,
        tolerance_days=draw(st.integers(0, min(3, physio.cadence_days - 1, massage.cadence_days - 1))),
        back_to_back=draw(st.booleans()), now=origin + draw(st.integers(0, 5 * 96)) * STEP, tz=TZ,
        rules=SlotRules(grid_minutes=draw(st.sampled_from([15, 30])), min_notice=draw(st.integers(0, 8)) * STEP,
                        horizon_days=draw(st.integers(20, 90))),
        preferred=draw(st.sampled_from([None, MORNING, AFTERNOON])))


def course_of(request: PlanRequest, visit: ProposedVisit) -> Course:
    """The course a visit belongs to."""
    return request.physiotherapy if visit.discipline == PHYSIOTHERAPY else request.massage


def blocked(request: PlanRequest, visit: ProposedVisit) -> Interval:
    """The time a visit keeps its therapist busy: the visit and its buffer."""
    return Interval(visit.starts_at, visit.ends_at + course_of(request, visit).buffer)


def overlap(first: Interval, second: Interval) -> bool:
    """Whether two half-open spans overlap (touching does not)."""
    return first.start < second.end and second.start < first.end


@SETTINGS
@given(requests())
def test_visits_never_overlap_each_other_or_existing_bookings(request: PlanRequest) -> None:
    visits = propose_plan(request).visits
    for index, visit in enumerate(visits):
        calendar = course_of(request, visit).calendar
        assert visit.therapist_id == calendar.therapist_id
        assert not any(overlap(blocked(request, visit), busy) for busy in [*calendar.busy, *calendar.time_off])
        for other in visits[index + 1:]:
            # The patient is never in two visits at once; a therapist's buffer is kept between theirs.
            assert not overlap(Interval(visit.starts_at, visit.ends_at), Interval(other.starts_at, other.ends_at))
            if other.therapist_id == visit.therapist_id:
                assert not overlap(blocked(request, visit), blocked(request, other))


@SETTINGS
@given(requests())
def test_pairs_are_adjacent_on_one_local_day(request: PlanRequest) -> None:
    visits = propose_plan(request).visits
    pairs: dict[int, list[ProposedVisit]] = {}
    for visit in visits:
        if visit.pair is not None:
            pairs.setdefault(visit.pair, []).append(visit)
    assert request.back_to_back or not pairs
    if request.back_to_back:
        assert all(visit.pair is not None for visit in visits if visit.discipline == MASSAGE)
    for first, second in pairs.values():
        assert (first.discipline, second.discipline) == (MASSAGE, PHYSIOTHERAPY)
        assert (first.therapist_id, second.therapist_id) == (MASSAGE_ID, PHYSIO_ID)
        assert first.ends_at == second.starts_at
        assert first.starts_at.astimezone(TZ).date() == second.starts_at.astimezone(TZ).date()


@SETTINGS
@given(requests())
def test_every_visit_is_bookable_with_the_other_proposals_busy(request: PlanRequest) -> None:
    visits = propose_plan(request).visits
    for visit in visits:
        course = course_of(request, visit)
        others = [blocked(request, other) for other in visits
                  if other.therapist_id == visit.therapist_id and other is not visit]
        calendar = TherapistCalendar(visit.therapist_id, course.calendar.hours, course.calendar.time_off,
                                     [*course.calendar.busy, *others])
        assert visit.ends_at - visit.starts_at == course.duration
        assert is_bookable(calendar, visit.starts_at, duration=course.duration, buffer=course.buffer,
                           now=request.now, tz=TZ, rules=request.rules)
        if request.preferred is not None and (visit.pair is None or visit.discipline == MASSAGE):
            assert request.preferred.holds(visit.starts_at, TZ)


@SETTINGS
@given(requests())
def test_cadence_holds_or_the_gap_is_reported(request: PlanRequest) -> None:
    proposal = propose_plan(request)
    tolerance = request.tolerance_days
    for name, course in ((PHYSIOTHERAPY, request.physiotherapy), (MASSAGE, request.massage)):
        days = {visit.session: visit.starts_at.astimezone(TZ).date()
                for visit in proposal.visits if visit.discipline == name}
        missing = [gap.session for gap in proposal.gaps if gap.discipline == name]
        # Every session is either proposed once or reported once, with a reason naming it.
        assert sorted([*days, *missing]) == list(range(1, course.sessions + 1))
        assert all(gap.reason.startswith(f"{name} session {gap.session}: ") for gap in proposal.gaps
                   if gap.discipline == name)
        if 1 in days:
            assert 0 <= (days[1] - request.start).days <= tolerance
        for number in days:
            if number + 1 in days:
                apart = (days[number + 1] - days[number]).days
                assert course.cadence_days - tolerance <= apart <= course.cadence_days + tolerance
