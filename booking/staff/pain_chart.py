"""The plan page's chart of pain over a course of care: pure geometry, drawn as SVG by the template.

Pain (0 to 10, upwards) is plotted against the session's day (left to right, to
scale), one line per discipline; the disciplines differ by marker shape and line
style as well as colour, and the page puts the same figures in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from booking.clinic.times import written
from booking.routing import THERAPY_LABELS

WIDTH, HEIGHT = 480, 240
# Each discipline (therapy type) and how the chart names it: "Massage therapy".
DISCIPLINES = {kind: label.capitalize() for kind, label in THERAPY_LABELS.items()}
MAX_X_TICKS = 6
INSET = 12  # the first and last sessions are drawn this far inside the grid, clear of the axis labels
LEFT, RIGHT, TOP, BOTTOM = 36, 28, 12, 36


@dataclass(frozen=True)
class Mark:
    """One outcome on the chart: where it is drawn and what it says."""

    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    """One discipline's outcomes, joined by a line."""

    discipline: str
    name: str
    marks: list[Mark]

    @property
    def points(self) -> str:
        """The line's points as an SVG ``points`` attribute."""
        return " ".join(f"{mark.x:.1f},{mark.y:.1f}" for mark in self.marks)


@dataclass(frozen=True)
class Chart:
    """The whole chart: its size, one series per discipline with outcomes, the axes' labels, a summary."""

    width: int
    height: int
    plot_left: float
    plot_right: float
    series: list[Series]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    summary: str


def _y(pain: int) -> float:
    """Where a pain score is drawn: 10 at the top, 0 at the bottom."""
    return TOP + (HEIGHT - TOP - BOTTOM) * (10 - pain) / 10


def _summary(outcomes: list[tuple[date, str, int]]) -> str:
    """The chart in one sentence, per discipline: from the first score to the last."""
    parts = []
    for discipline, name in DISCIPLINES.items():
        scores = [pain for _, kind, pain in outcomes if kind == discipline]
        if scores:
            sessions = "1 session" if len(scores) == 1 else f"{len(scores)} sessions"
            parts.append(f"{name}: pain {scores[0]}" + (f" to {scores[-1]}" if len(scores) > 1 else "")
                         + f" over {sessions}")
    return "; ".join(parts) + "." if parts else "No outcomes recorded yet."


def _labelled(days: list[date]) -> list[date]:
    """The days (in order, each once) that get a label: the first and the last always, another only where it
    is at least 1 / (MAX_X_TICKS - 1) of the chart's width from the labels either side, so none overlap."""
    span = (days[-1] - days[0]).days if days else 0

    def apart(earlier: date, later: date) -> bool:
        return (later - earlier).days * (MAX_X_TICKS - 1) >= span

    picked: list[date] = []
    for day in days[:-1]:
        if (not picked or apart(picked[-1], day)) and apart(day, days[-1]):
            picked.append(day)
    return [*picked, *days[-1:]]


def pain_chart(outcomes: list[tuple[date, str, int]]) -> Chart:
    """The chart of these outcomes (session day, discipline, pain now), in order of the sessions."""
    outcomes = sorted(outcomes, key=lambda outcome: outcome[0])
    days = [day for day, _, _ in outcomes]
    first, span = (days[0], max((days[-1] - days[0]).days, 1)) if days else (date.min, 1)
    plot = WIDTH - LEFT - RIGHT - 2 * INSET

    def x(day: date) -> float:
        return LEFT + INSET + (plot * (day - first).days / span if len(set(days)) > 1 else plot / 2)

    series = [Series(discipline, name, [Mark(x(day), _y(pain), f"{name}, {written(day, 'date_short_no_year')}: pain {pain}")
                                        for day, kind, pain in outcomes if kind == discipline])
              for discipline, name in DISCIPLINES.items()]
    x_ticks = [(x(day), written(day, "date_short_no_year")) for day in _labelled(sorted(set(days)))]
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, [line for line in series if line.marks],
                 [(_y(pain), str(pain)) for pain in (0, 2, 4, 6, 8, 10)], x_ticks, _summary(outcomes))
