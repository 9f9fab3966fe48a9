"""Pure plan finder: a concrete course of physiotherapy and massage visits for a care plan.

The walk, kept simple on purpose:

1. Each discipline has a next session and its target date.  The first target is the plan's
   start date; each later one is ``cadence_days`` after the day the previous session was
   proposed on, or after the previous target when that session could not be placed.  So two
   consecutive proposed sessions of one discipline are always cadence ± tolerance days apart.
2. Sessions are taken in order of their target dates (physiotherapy first on a tie).  The
   candidate days of a session are its target, then one day earlier, one day later, two days
   earlier... up to the tolerance, never before the start date.  On the first candidate day
   with an acceptable start, the earliest one is proposed.
3. Open starts come from ``open_slots`` over the therapist's calendar with every visit already
   proposed to that therapist added as busy, buffer included, so a proposal is bookable exactly
   when ``is_bookable`` says so.  A start is acceptable when it lies in the preferred part of
   the day (if the plan names one) and the patient's visit overlaps none of their other
   proposed visits (the patient cannot be in two rooms at once).
4. Back to back: a massage session whose target is within the tolerance of the next
   physiotherapy session's target is proposed with it as a pair, on a day within the tolerance
   of both targets: the earliest open massage start whose end is an open physiotherapy start
   (both therapists free, same local day; the preferred part of the day applies to the pair's
   start).  When no day has one, the massage session is reported and the physiotherapy session
   is tried alone.  Massage is never proposed alone in this mode: a massage session with no
   physiotherapy session near its target is reported.
5. Every session that cannot be placed becomes a ``Gap`` whose reason says why in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .localday import midnight
from .model import Blocks, Interval, Slot, SlotRules, TherapistCalendar
from .slots import back_to_back, open_slots

PHYSIOTHERAPY = "physiotherapy"
MASSAGE = "massage"


@dataclass(frozen=True)
class PartOfDay:
    """A preferred part of the day: visits start at or after ``start`` and before ``end`` (local)."""

    name: str
    start: time
    end: time

    def holds(self, instant: datetime, tz: ZoneInfo) -> bool:
        """Whether ``instant`` starts in this part of the day in the clinic zone."""
        return self.start <= instant.astimezone(tz).time() < self.end


MORNING = PartOfDay("morning", time(0), time(12))
AFTERNOON = PartOfDay("afternoon", time(12), time(17))
EVENING = PartOfDay("evening", time(17), time.max)


@dataclass(frozen=True)
class Course:
    """One discipline of a plan: its therapist's calendar, its service and its sessions."""

    calendar: TherapistCalendar
    duration: timedelta
    buffer: timedelta
    sessions: int
    cadence_days: int

    def __post_init__(self) -> None:
        if self.sessions < 0:
            raise ValueError("the number of sessions must not be negative")
        if self.cadence_days < 1:
            raise ValueError("the cadence must be at least one day")


@dataclass(frozen=True)
class PlanRequest:
    """What a plan asks for: both courses, the tolerance, the pairing and the clinic's clock."""

    physiotherapy: Course
    massage: Course
    start: date
    tolerance_days: int
    back_to_back: bool
    now: datetime
    tz: ZoneInfo
    rules: SlotRules = SlotRules()
    preferred: PartOfDay | None = None

    def __post_init__(self) -> None:
        if self.physiotherapy.calendar.therapist_id == self.massage.calendar.therapist_id:
            raise ValueError("a plan needs two different therapists")
        if self.tolerance_days < 0:
            raise ValueError("the tolerance must not be negative")
        if 2 * self.tolerance_days + 1 > self.rules.max_range_days:
            raise ValueError(f"the tolerance must be at most {(self.rules.max_range_days - 1) // 2} days")
        for name, course in ((PHYSIOTHERAPY, self.physiotherapy), (MASSAGE, self.massage)):
            if course.sessions > 1 and self.tolerance_days >= course.cadence_days:
                raise ValueError(f"the tolerance must be shorter than the {name} cadence")
        if self.now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")


@dataclass(frozen=True)
class ProposedVisit:
    """One proposed visit; the two visits of a back-to-back pair share ``pair``."""

    discipline: str
    session: int
    therapist_id: int
    starts_at: datetime
    ends_at: datetime
    pair: int | None = None


@dataclass(frozen=True)
class Gap:
    """A session that could not be placed, its target date and why."""

    discipline: str
    session: int
    target: date
    reason: str


@dataclass(frozen=True)
class PlanProposal:
    """The proposed visits (sorted by start) and the sessions that could not be placed."""

    visits: tuple[ProposedVisit, ...]
    gaps: tuple[Gap, ...]

    @property
    def reasons(self) -> list[str]:
        """The reasons the plan cannot be met in full, in the order found (empty when it can)."""
        return [gap.reason for gap in self.gaps]


@dataclass
class _Track:
    """Where one discipline stands: its next session number and that session's target date."""

    name: str
    course: Course
    target: date
    number: int = 1

    @property
    def left(self) -> bool:
        """Whether sessions remain to be placed."""
        return self.number <= self.course.sessions

    def advance(self, placed: date | None) -> None:
        """Move to the next session, its target a cadence after ``placed`` (or the missed target)."""
        self.target = (placed or self.target) + timedelta(days=self.course.cadence_days)
        self.number += 1


def _within(tolerance: int, target: date) -> str:
    """"within 2 days of 2027-01-12", or "on 2027-01-12" with no tolerance."""
    if tolerance == 0:
        return f"on {target.isoformat()}"
    return f"within {tolerance} day{'s' if tolerance > 1 else ''} of {target.isoformat()}"


@dataclass
class _Planner:
    """The request and everything proposed so far."""

    request: PlanRequest
    visits: list[ProposedVisit] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    booked: dict[int, list[Interval]] = field(default_factory=dict)
    pairs: int = 0

    def days(self, *targets: date) -> list[date]:
        """Candidate days within the tolerance of every target: the first target, then -1, +1, -2..."""
        tolerance, anchor = self.request.tolerance_days, targets[0]
        offsets = [0] + [sign * step for step in range(1, tolerance + 1) for sign in (-1, 1)]
        found = (anchor + timedelta(days=offset) for offset in offsets)
        return [day for day in found if day >= self.request.start
                and all(abs((day - target).days) <= tolerance for target in targets)]

    def open_by_day(self, course: Course, days: list[date]) -> dict[date, list[Slot]]:
        """The course's open slots on the days, by local date, with the visits proposed so far busy."""
        request = self.request
        calendar = course.calendar
        calendar = replace(calendar, busy=Blocks.of(calendar.busy).adding(self.booked.get(calendar.therapist_id, ())))
        slots = open_slots(calendar, duration=course.duration, buffer=course.buffer, date_from=min(days),
                           date_to=max(days), now=request.now, tz=request.tz, rules=request.rules)
        found: dict[date, list[Slot]] = {}
        for slot in slots:
            found.setdefault(slot.starts_at.astimezone(request.tz).date(), []).append(slot)
        return found

    def acceptable(self, start: datetime, end: datetime) -> bool:
        """Whether a visit (or pair) over [start, end) suits the preference and the patient."""
        preferred = self.request.preferred
        return ((preferred is None or preferred.holds(start, self.request.tz))
                and all(end <= visit.starts_at or visit.ends_at <= start for visit in self.visits))

    def propose(self, track: _Track, slot: Slot, pair: int | None) -> None:
        """Record a proposed visit and keep its time, buffer included, busy for later ones."""
        self.visits.append(ProposedVisit(track.name, track.number, slot.therapist_id, slot.starts_at,
                                         slot.ends_at, pair))
        self.booked.setdefault(slot.therapist_id, []).append(
            Interval(slot.starts_at, slot.ends_at + track.course.buffer))

    def report(self, track: _Track, reason: str) -> None:
        """Record that the track's session cannot be placed, then move on to its next one."""
        prefix = f"{track.name} session {track.number}"
        self.gaps.append(Gap(track.name, track.number, track.target, f"{prefix}: {reason}"))
        track.advance(None)

    def free(self) -> str:
        """"free morning" when the plan prefers mornings, else "free time"."""
        return f"free {self.request.preferred.name if self.request.preferred else 'time'}"

    def alone(self, track: _Track) -> None:
        """Propose the track's next session by itself, or report why it cannot be placed."""
        days = self.days(track.target)
        for day, slots in self._in_order(days, self.open_by_day(track.course, days)):
            for slot in slots:
                if self.acceptable(slot.starts_at, slot.ends_at):
                    self.propose(track, slot, None)
                    track.advance(day)
                    return
        request = self.request
        what = "open time" if request.preferred is None else self.free()
        reason = f"no {what} {_within(request.tolerance_days, track.target)}"
        latest = request.rules.latest(request.now)
        if midnight(max(days) + timedelta(days=1), request.tz) > latest:
            reason += (f": the booking horizon ({request.rules.horizon_days} days) ends on "
                       f"{latest.astimezone(request.tz).date().isoformat()}")
        self.report(track, reason)

    def together(self, massage: _Track, physio: _Track) -> bool:
        """Propose massage then physiotherapy back to back on one day; whether a day had room."""
        days = self.days(physio.target, massage.target)
        massages = self.open_by_day(massage.course, days)
        physios = self.open_by_day(physio.course, days)
        for day, slots in self._in_order(days, massages):
            for first, second in back_to_back(slots, physios.get(day, ()), self.request.tz):
                if self.acceptable(first.starts_at, second.ends_at):
                    self.pairs += 1
                    self.propose(massage, first, self.pairs)
                    self.propose(physio, second, self.pairs)
                    massage.advance(day)
                    physio.advance(day)
                    return True
        return False

    @staticmethod
    def _in_order(days: list[date], slots: dict[date, list[Slot]]) -> list[tuple[date, list[Slot]]]:
        """The candidate days that have slots, in the order they are tried."""
        return [(day, slots[day]) for day in days if day in slots]

    def pair_or_alone(self, massage: _Track, physio: _Track) -> None:
        """A back-to-back pair; failing that, the massage session is reported and physiotherapy tried alone."""
        if self.together(massage, physio):
            return
        week = (physio.target - self.request.start).days // 7 + 1
        self.report(massage, f"no common {self.free()} in week {week} for massage right before "
                             f"physiotherapy session {physio.number} "
                             f"({_within(self.request.tolerance_days, physio.target)})")
        self.alone(physio)


def propose_plan(request: PlanRequest) -> PlanProposal:
    """A concrete course of visits for the plan, and a reason for every session it cannot place."""
    planner = _Planner(request)
    physio = _Track(PHYSIOTHERAPY, request.physiotherapy, request.start)
    massage = _Track(MASSAGE, request.massage, request.start)
    tolerance = request.tolerance_days
    while physio.left or massage.left:
        if request.back_to_back and massage.left:
            if physio.left and abs((massage.target - physio.target).days) <= tolerance:
                planner.pair_or_alone(massage, physio)
            elif physio.left and physio.target < massage.target:
                planner.alone(physio)
            else:
                planner.report(massage, f"no physiotherapy session {_within(tolerance, massage.target)} "
                                        "to pair it with")
        elif physio.left and (not massage.left or physio.target <= massage.target):
            planner.alone(physio)
        else:
            planner.alone(massage)
    visits = sorted(planner.visits, key=lambda visit: visit.starts_at)
    return PlanProposal(tuple(visits), tuple(planner.gaps))
