"""The charts of a course of care: one score over the plan's sessions, pure geometry, drawn as SVG by a template.

The score (upwards, the measure's scale) is plotted against the session's number in the plan (left to right, both
disciplines counted); each session's therapy is marked by shape (circle: physiotherapy, square: massage therapy) and
named in each mark's label, never by colour alone. A chart of a measure with a baseline draws it as a line, with the
band of its MCID around it shaded and labelled: a score inside the band is not yet a meaningful change. The pages
(staff, admin and the patient's) put the same figures in a table beside each chart (``macros/chart.html``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from booking.clinic.times import clinic_zone, written
from booking.measures import Measure, points
from booking.models import Appointment, CarePlan
from booking.routing import THERAPY_LABELS
from booking.services.care_plans.measures import Course, Point, course_of, session_numbers
from booking.services.care_plans.work import pain_over_time

WIDTH, HEIGHT = 480, 240
# Each discipline (therapy type) and how the chart names it: "Massage therapy".
DISCIPLINES = {kind: label.capitalize() for kind, label in THERAPY_LABELS.items()}
MAX_X_TICKS = 8
MAX_Y_TICKS = 6
INSET = 12  # the first and last sessions are drawn this far inside the grid, clear of the axis labels
LEFT, RIGHT, TOP, BOTTOM = 36, 28, 12, 36


@dataclass(frozen=True)
class Mark:
    """One score on the chart: where it is drawn, its discipline and what it says."""

    x: float
    y: float
    discipline: str
    label: str


@dataclass(frozen=True)
class Band:
    """The MCID band around the baseline, as drawn: its top and bottom, its baseline's height, its label (and its
    short one, written on the band)."""

    top: float
    bottom: float
    baseline: float
    label: str
    short: str


@dataclass(frozen=True)
class Chart:
    """The whole chart: its size, the line through every score, each mark, the band, the axes' labels, a summary."""

    width: int
    height: int
    plot_left: float
    plot_right: float
    marks: list[Mark]
    band: Band | None
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    summary: str

    @property
    def points(self) -> str:
        """The line's points as an SVG ``points`` attribute."""
        return " ".join(f"{mark.x:.1f},{mark.y:.1f}" for mark in self.marks)

    @property
    def disciplines(self) -> list[str]:
        """The disciplines marked, in the legend's order."""
        return [kind for kind in DISCIPLINES if any(mark.discipline == kind for mark in self.marks)]


def number(value: float) -> str:
    """A score as a chart writes it, to a tenth: "4", "3.7", "-2"."""
    return f"{round(value, 1):g}"


def _y_ticks(minimum: float, maximum: float) -> list[float]:
    """A few round values from the bottom of the scale to its top."""
    step = max(1, math.ceil((maximum - minimum) / (MAX_Y_TICKS - 1)))
    step = next(size for size in (1, 2, 5, 10, 20, 25, 50) if size >= step)
    first = math.ceil(minimum / step) * step
    return [float(value) for value in range(int(first), int(maximum) + 1, step)]


def _x_labelled(sessions: list[int]) -> list[int]:
    """The session numbers that get a label: every n-th (at most MAX_X_TICKS), the last always."""
    if not sessions:
        return []
    every = math.ceil(len(sessions) / MAX_X_TICKS)
    picked = sessions[:-1][::every]
    if picked and (sessions[-1] - picked[-1]) * MAX_X_TICKS < sessions[-1] - sessions[0]:
        picked.pop()
    return [*picked, sessions[-1]]


def chart(points: list[Point], minimum: float, maximum: float, name: str, *,
          baseline: float | None = None, mcid: float | None = None, band_label: str = "", band_short: str = ""
          ) -> Chart:
    """The chart of a score (``name`` in marks and summary, "pain") on a scale from ``minimum`` to ``maximum``.

    With a ``baseline`` and an ``mcid``, the band from the baseline less the MCID to the baseline plus it (cut to
    the scale) is drawn around the baseline's line, labelled ``band_label`` (and on the band, ``band_short``).
    """
    points = sorted(points, key=lambda point: point.session)
    sessions = sorted({point.session for point in points})
    first, span = (sessions[0], max(sessions[-1] - sessions[0], 1)) if sessions else (1, 1)
    plot = WIDTH - LEFT - RIGHT - 2 * INSET

    def x(session: int) -> float:
        return LEFT + INSET + (plot * (session - first) / span if len(sessions) > 1 else plot / 2)

    def y(score: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (maximum - score) / (maximum - minimum)

    marks = [Mark(x(point.session), y(point.score), point.discipline,
                  f"Session {point.session}, {written(point.day, 'date_short_no_year')}, "
                  f"{DISCIPLINES.get(point.discipline, point.discipline)}: {name} {number(point.score)}")
             for point in points]
    band = None
    if baseline is not None and mcid is not None:
        band = Band(y(min(maximum, baseline + mcid)), y(max(minimum, baseline - mcid)), y(baseline), band_label,
                    band_short)
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, marks, band,
                 [(y(value), number(value)) for value in _y_ticks(minimum, maximum)],
                 [(x(session), str(session)) for session in _x_labelled(sessions)], _summary(points, name))


def _summary(points: list[Point], name: str) -> str:
    """The chart in one sentence: from the first score to the last, over how many sessions."""
    if not points:
        return "Nothing recorded yet."
    sessions = "1 session" if len(points) == 1 else f"{len(points)} sessions"
    moved = f" to {number(points[-1].score)}" if len(points) > 1 else ""
    return f"{name[:1].upper()}{name[1:]} {number(points[0].score)}{moved} over {sessions}."


def measure_chart(course: Course, *, for_patient: bool = False) -> Chart:
    """The chart of one measure over a course, its baseline and MCID band labelled for therapists or the patient.

    A measure that rates the change itself (the GROC) has no baseline: its band lies around "no change" (0).
    """
    shown = course.measure
    mcid = points(shown.mcid)
    if shown.rates_change:
        baseline = 0.0
        label = (f"Shaded: from {-shown.mcid:+g} to {shown.mcid:+g}, not yet a meaningful change as the patient rates "
                 "it; the line across: no change." if not for_patient else
                 f"Shaded: within {mcid} either side of no change (the line across).")
    else:
        baseline = course.points[0].score
        label = (f"Shaded: within {mcid} (the MCID) of the baseline, {number(baseline)} (the line across): "
                 "not yet a meaningful change." if not for_patient else
                 f"Shaded: within {mcid} of where you started, {number(baseline)} (the line across): a change "
                 "this small may not be one you notice yet.")
    name = shown.short_name if not for_patient else shown.name.lower()
    short = f"MCID ±{number(shown.mcid)}" if not for_patient else "Small change"
    return chart(course.points, shown.minimum, shown.maximum, name, baseline=baseline, mcid=shown.mcid,
                 band_label=label, band_short=short)


@dataclass(frozen=True)
class Figure:
    """One chart as a page shows it: its key (for ids), its title, the chart, its points and the table's heading;
    a note beside each point (the therapist's function note), if any, under its own heading."""

    key: str
    title: str
    chart: Chart
    points: list[Point]
    heading: str
    notes: tuple[str, ...] = ()
    notes_heading: str = ""


def measure_figures(courses: list[Course], *, for_patient: bool = False) -> list[Figure]:
    """A figure of each measure of a course, in the order the measures are asked."""
    return [Figure(f"chart-{course.measure.code}", _title(course.measure, for_patient),
                   measure_chart(course, for_patient=for_patient), course.points, "Score")
            for course in courses]


def _title(shown: Measure, for_patient: bool) -> str:
    """A measure's chart's title with its scale: "Your pain, 0 to 10, lower is better" for the patient."""
    name = shown.subject if for_patient else f"{shown.name} ({shown.short_name})"
    return (f"{name}, {shown.minimum:g} to {shown.maximum:g}, "
            f"{'higher' if shown.higher_is_better else 'lower'} is better")


def pain_figure(outcomes: list[tuple[Point, str]]) -> Figure:
    """The figure of the pain the therapists typed at each session, with its function note: no baseline."""
    found = [point for point, _ in outcomes]
    return Figure("chart-typed-pain", "Pain now as the therapist recorded it, 0 to 10, lower is better",
                  chart(found, 0, 10, "pain"), found, "Pain (0–10)", tuple(note for _, note in outcomes), "Function")


def plan_figures(plan: CarePlan, visits: list[Appointment]) -> list[Figure]:
    """The plan page's figures: each measure the patient answered, then the pain the therapists typed."""
    numbers = session_numbers(visits)
    typed = [(Point(numbers[point.visit.id], point.visit.starts_at.astimezone(clinic_zone()).date(),
                    point.visit.service.therapy_type, point.pain), point.function_note)
             for point in pain_over_time(visits) if point.visit.id in numbers]
    return [*measure_figures(course_of(visits, plan.id)), *([pain_figure(typed)] if typed else [])]
