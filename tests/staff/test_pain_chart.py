"""The pain chart's geometry: higher pain is drawn higher, days to scale, one line per discipline, a summary."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from booking.staff.pain_chart import MAX_X_TICKS, pain_chart


def test_higher_pain_is_drawn_higher_and_later_days_further_right() -> None:
    chart = pain_chart([(date(2026, 12, 2), "physiotherapy", 7), (date(2026, 12, 16), "physiotherapy", 3),
                        (date(2026, 12, 9), "physiotherapy", 5)])
    marks = chart.series[0].marks
    assert [mark.label for mark in marks] == ["Physiotherapy, Dec 2: pain 7", "Physiotherapy, Dec 9: pain 5",
                                              "Physiotherapy, Dec 16: pain 3"]
    assert marks[0].y < marks[1].y < marks[2].y  # SVG's y grows downwards: pain 7 is highest
    assert marks[0].x < marks[1].x < marks[2].x
    assert abs((marks[1].x - marks[0].x) - (marks[2].x - marks[1].x)) < 0.01  # a week is a week
    assert chart.summary == "Physiotherapy: pain 7 to 3 over 3 sessions."


def test_each_discipline_has_its_own_line_and_the_summary_names_both() -> None:
    chart = pain_chart([(date(2026, 12, 2), "massage", 8), (date(2026, 12, 2), "physiotherapy", 6)])
    assert [line.discipline for line in chart.series] == ["physiotherapy", "massage"]
    assert chart.summary == "Physiotherapy: pain 6 over 1 session; Massage therapy: pain 8 over 1 session."
    assert len(chart.x_ticks) == 1


def test_pain_zero_and_ten_are_the_bottom_and_top_of_the_scale() -> None:
    chart = pain_chart([(date(2026, 12, 2), "physiotherapy", 0), (date(2026, 12, 3), "physiotherapy", 10)])
    bottom, top = chart.series[0].marks
    assert (bottom.y, top.y) == (chart.y_ticks[0][0], chart.y_ticks[-1][0])
    assert all(0 <= mark.x <= chart.width for mark in chart.series[0].marks)


def test_many_days_get_a_few_readable_day_labels() -> None:
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(30)]
    chart = pain_chart([(day, "massage", 5) for day in days])
    assert 1 < len(chart.x_ticks) <= MAX_X_TICKS


@pytest.mark.parametrize("sessions", [2, 6, 7, 8, 12, 13, 30])
def test_the_last_session_day_is_always_labelled_clear_of_the_label_before(sessions: int) -> None:
    days = [date(2026, 12, 1) + timedelta(days=2 * n) for n in range(sessions)]
    chart = pain_chart([(day, "physiotherapy", 5) for day in days])
    last = days[-1]
    assert chart.x_ticks[0][1] == "Dec 1" and chart.x_ticks[-1][1] == f"{last:%b} {last.day}"
    positions = [x for x, _ in chart.x_ticks]
    assert len(positions) <= MAX_X_TICKS
    gaps = [later - earlier for earlier, later in pairwise(positions)]
    assert min(gaps) >= (positions[-1] - positions[0]) / (MAX_X_TICKS - 1) - 0.01  # wider than "Dec 23" at 14px


def test_no_outcomes_say_so() -> None:
    chart = pain_chart([])
    assert chart.series == [] and chart.summary == "No outcomes recorded yet."
