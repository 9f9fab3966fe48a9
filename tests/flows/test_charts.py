"""The charts' geometry: higher scores drawn higher, sessions left to right, the MCID band around the baseline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from booking.flows.charts import MAX_X_TICKS, chart, measure_chart, pain_figure
from booking.measures import change, measure
from booking.services.care_plans.measures import Course, Point

DAY = date(2026, 12, 2)


def points(*scores: float, discipline: str = "physiotherapy") -> list[Point]:
    return [Point(session, DAY + timedelta(days=7 * session), discipline, score)
            for session, score in enumerate(scores, 1)]


def course(code: str, *scores: float) -> Course:
    shown = measure(code)
    found = points(*scores)
    return Course(shown, found, change(shown, found[0].score, found[-1].score))


def test_higher_scores_are_drawn_higher_and_later_sessions_further_right() -> None:
    drawn = chart(points(7, 5, 3), 0, 10, "pain")
    ys, xs = [mark.y for mark in drawn.marks], [mark.x for mark in drawn.marks]
    assert ys[0] < ys[1] < ys[2] and xs[0] < xs[1] < xs[2]  # SVG's y grows downwards: 7 is highest
    assert abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.01
    assert [mark.label for mark in drawn.marks][0] == "Session 1, Dec 9, Physiotherapy: pain 7"
    assert drawn.summary == "Pain 7 to 3 over 3 sessions."
    assert drawn.band is None


def test_each_therapy_is_marked_and_named() -> None:
    drawn = chart([*points(6), Point(2, DAY, "massage", 5)], 0, 10, "NPRS")
    assert [mark.discipline for mark in drawn.marks] == ["physiotherapy", "massage"]
    assert drawn.disciplines == ["physiotherapy", "massage"]
    assert drawn.marks[1].label == "Session 2, Dec 2, Massage therapy: NPRS 5"


def test_the_band_lies_the_mcid_either_side_of_the_baseline_cut_to_the_scale() -> None:
    drawn = measure_chart(course("nprs", 7, 6))
    band = drawn.band
    assert band is not None and band.baseline == drawn.marks[0].y
    assert band.top < band.baseline < band.bottom
    assert abs((band.bottom - band.baseline) - (band.baseline - band.top)) < 0.01  # 5 to 9 around 7
    assert "within 2 points (the MCID) of the baseline, 7" in band.label
    near_top = measure_chart(course("nprs", 10, 9)).band
    assert near_top is not None and near_top.top == pytest.approx(12)  # 10 + 2 is cut to the top of the scale


def test_a_rating_of_change_has_its_band_around_no_change() -> None:
    shown = measure("groc")
    drawn = measure_chart(Course(shown, points(2, 4), change(shown, None, 4)))
    zero = dict((label, y) for y, label in drawn.y_ticks)["0"]
    assert drawn.band is not None and drawn.band.baseline == pytest.approx(zero)
    assert drawn.band.label.startswith("Shaded: from -3 to +3")


def test_the_patient_reads_the_band_in_plain_words() -> None:
    band = measure_chart(course("psfs", 3, 4.5), for_patient=True).band
    assert band is not None and band.label.startswith("Shaded: within 2 points of where you started, 3")


@pytest.mark.parametrize("sessions", [1, 2, 8, 9, 13, 30])
def test_many_sessions_get_a_few_labels_the_last_always(sessions: int) -> None:
    drawn = chart(points(*[5] * sessions), 0, 10, "pain")
    labels = [label for _, label in drawn.x_ticks]
    assert 1 <= len(labels) <= MAX_X_TICKS and labels[-1] == str(sessions) and labels[0] == "1"


def test_nothing_recorded_says_so_and_the_typed_pain_keeps_its_function_notes() -> None:
    assert chart([], 0, 10, "pain").summary == "Nothing recorded yet."
    figure = pain_figure([(point, "Stairs with the rail") for point in points(6)])
    assert figure.notes == ("Stairs with the rail",) and figure.chart.band is None
