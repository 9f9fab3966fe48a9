"""The pure rules: who is asked, when the email is due, and how what was typed is read."""

from __future__ import annotations

from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.clinic.limits import ACTIVITY_LENGTH
from booking.measures import asked_at
from booking.questionnaires.answers import read
from booking.questionnaires.timing import is_asked, parse_send_time, questionnaire_due
from tests.factories import CLINIC_ZONE, local

FIRST = {"nprs": "6", "activity_1": "  Climbing   stairs ", "rating_1": "3", "activity_2": "Lifting my son",
         "rating_2": "5"}


def test_a_care_plans_visits_and_physiotherapy_assessments_are_asked() -> None:
    assert is_asked(4, "massage", "Massage therapy (60 minutes)")
    assert is_asked(None, "physiotherapy", "Physiotherapy initial assessment")
    assert not is_asked(None, "physiotherapy", "Physiotherapy follow-up (30 minutes)")
    assert not is_asked(None, "massage", "Massage assessment")


def test_the_questions_are_due_the_evening_before_at_the_clinics_time() -> None:
    starts_at, booked = local(2026, 12, 2, 10), local(2026, 11, 28, 9)
    assert questionnaire_due(starts_at, "18:00", CLINIC_ZONE, booked) == local(2026, 12, 1, 18).astimezone(UTC)
    assert questionnaire_due(starts_at, "07:30", CLINIC_ZONE, booked) == local(2026, 12, 1, 7, 30)


def test_booked_after_that_time_they_are_due_at_once_and_not_once_the_visit_began() -> None:
    starts_at = local(2026, 12, 2, 10)
    late = local(2026, 12, 1, 21)
    assert questionnaire_due(starts_at, "18:00", CLINIC_ZONE, late) == late
    assert questionnaire_due(starts_at, "18:00", CLINIC_ZONE, starts_at) is None


def test_the_evening_before_follows_the_local_clock_across_a_daylight_saving_change() -> None:
    # The clocks go back on Sunday 1 November 2026: Monday's 09:00 visit is asked Sunday at 18:00 MST.
    due = questionnaire_due(local(2026, 11, 2, 9), "18:00", CLINIC_ZONE, local(2026, 10, 28, 9))
    assert due is not None and due.astimezone(CLINIC_ZONE).hour == 18


@pytest.mark.parametrize("text", ["6pm", "18", "18:0", "1:00", "", "aa:bb"])
def test_a_send_time_not_written_as_hh_mm_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_send_time(text)


def test_the_first_measurement_asks_pain_and_the_activities_later_ones_the_change_too() -> None:
    assert [shape.code for shape in asked_at(1)] == ["nprs", "psfs"]
    assert [shape.code for shape in asked_at(2)] == [shape.code for shape in asked_at(7)] == ["nprs", "psfs", "groc"]


def test_the_first_measurement_names_the_activities_and_rates_each() -> None:
    reading = read(FIRST, 1)
    assert reading.errors == {}
    assert reading.answers == {"nprs": 6, "psfs": [3, 5]}
    assert reading.activities == ["Climbing stairs", "Lifting my son"]


def test_nothing_typed_gets_a_clear_error_for_pain_and_the_activities() -> None:
    errors = read({}, 1).errors
    assert errors == {"nprs": "Choose your pain right now, from 0 to 10.",
                      "activity_1": "Name at least one activity that is hard for you now."}


def test_a_rating_without_its_activity_or_an_activity_without_its_rating_is_named() -> None:
    errors = read({"nprs": "2", "rating_1": "4", "activity_2": "Running"}, 1).errors
    assert errors == {"activity_1": "Name the activity you rated, or clear its rating.",
                      "rating_2": 'Choose how able you are today to do "Running", from 0 to 10.'}


@pytest.mark.parametrize("typed", ["11", "-1", "4.5", "ten", "0x4", "+99999"])
def test_a_pain_outside_0_to_10_is_refused(typed: str) -> None:
    assert "nprs" in read({**FIRST, "nprs": typed}, 1).errors


def test_an_activity_too_long_is_refused() -> None:
    errors = read({**FIRST, "activity_1": "x" * (ACTIVITY_LENGTH + 1)}, 1).errors
    assert errors == {"activity_1": f"Name the activity in at most {ACTIVITY_LENGTH} characters."}


def test_a_later_measurement_rates_the_same_activities_one_may_be_left_out_and_groc_is_asked() -> None:
    activities = ["Climbing stairs", "Lifting my son"]
    reading = read({"nprs": "3", "rating_2": "8", "groc": "+4"}, 2, activities)
    assert reading.errors == {}
    assert reading.answers == {"nprs": 3, "psfs": [None, 8], "groc": 4}
    assert reading.activities == activities
    assert read({"nprs": "3", "rating_1": "2"}, 2, activities).errors == {
        "groc": "Choose how your condition is now, from -7 to +7."}
    assert read({"nprs": "3", "groc": "0"}, 2, activities).errors == {
        "rating_1": "Rate at least one of the activities, from 0 to 10."}


def test_only_the_therapist_adds_an_activity_and_never_a_sixth() -> None:
    activities = ["Climbing stairs"]
    typed = {"nprs": "3", "rating_1": "4", "groc": "2", "activity_new": "Gardening", "rating_new": "6"}
    assert read(typed, 3, activities).activities == activities
    added = read(typed, 3, activities, may_add=True)
    assert (added.activities, added.answers["psfs"]) == (["Climbing stairs", "Gardening"], [4, 6])
    five = [f"Activity {n}" for n in range(5)]
    assert read({**typed, "rating_1": "4"}, 3, five, may_add=True).activities == five


@given(st.dictionaries(st.sampled_from(["nprs", "groc", "activity_1", "rating_1", "activity_new", "rating_new",
                                        "rating_2", "activity_5", "rating_5"]), st.text(max_size=12)),
       st.integers(min_value=1, max_value=6))
def test_any_typed_text_is_read_or_refused_and_stored_answers_stay_in_range(typed: dict[str, str],
                                                                           number: int) -> None:
    reading = read(typed, number, ["Walking"] if number > 1 else [], may_add=True)
    if not reading.errors:
        assert 0 <= reading.answers["nprs"] <= 10  # type: ignore[operator]
        assert all(rating is None or 0 <= rating <= 10 for rating in reading.answers["psfs"])  # type: ignore[attr-defined]
        assert len(reading.activities) == len(reading.answers["psfs"]) <= 5  # type: ignore[arg-type]
