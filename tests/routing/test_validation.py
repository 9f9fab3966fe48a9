"""Validation: every error is collected, named by its key and explained in plain words."""

from typing import Any

import pytest

from booking.routing import Answers, ScreeningError, normalise_answers, recommend, validate_answers
from tests.routing.contract import KEYS


def errors_for(answers: Any) -> dict[str, str]:
    """Return the errors recommend raises for these answers."""
    with pytest.raises(ScreeningError) as caught:
        recommend(answers)
    return caught.value.errors


def test_screening_error_is_a_value_error_listing_its_messages() -> None:
    """ScreeningError is a ValueError whose text includes each key and message."""
    error = ScreeningError({"pain_level": "Pain level must be a whole number from 0 to 10."})
    assert isinstance(error, ValueError)
    assert "pain_level: Pain level must be a whole number from 0 to 10." in str(error)


@pytest.mark.parametrize("value", [11, -1, True, False, 5.0, "5", None, [5]])
def test_pain_level_message_names_the_range(value: Any) -> None:
    """A pain level that is not a whole number from 0 to 10 (a bool is not) is explained."""
    errors = errors_for({"concerns": ["chronic_pain"], "pain_level": value})
    assert errors == {"pain_level": "Pain level must be a whole number from 0 to 10."}


@pytest.mark.parametrize(
    ("key", "value", "limit"),
    [("symptom_weeks", 2601, "2600"), ("weeks_since_surgery", 521, "520")],
)
def test_week_counts_name_their_range(key: str, value: int, limit: str) -> None:
    """Week counts out of range say which range is allowed."""
    errors = errors_for({"concerns": ["post_surgery"], "weeks_since_surgery": 2, key: value})
    assert list(errors) == [key]
    assert f"0 to {limit}" in errors[key]


def test_range_limits_are_inclusive() -> None:
    """0 and the maximum of every number are accepted."""
    low = {
        "concerns": ["post_surgery"],
        "pain_level": 0,
        "symptom_weeks": 0,
        "weeks_since_surgery": 0,
    }
    high = {**low, "pain_level": 10, "symptom_weeks": 2600, "weeks_since_surgery": 520}
    assert recommend(low).pathway == recommend(high).pathway == "physiotherapy"


def test_unknown_key_is_named() -> None:
    """An unknown key is reported under that key, and the message names it."""
    errors = errors_for({"concerns": ["relaxation"], "favourite_colour": "blue"})
    assert list(errors) == ["favourite_colour"]
    assert '"favourite_colour"' in errors["favourite_colour"]


@pytest.mark.parametrize("key", ["concerns", "red_flags", "precautions"])
def test_unknown_codes_are_named_under_their_list(key: str) -> None:
    """Unknown codes are reported under their list's key, each one named."""
    answers: dict[str, Any] = {"concerns": ["relaxation"], key: ["back_ache", "zzz"]}
    errors = errors_for(answers)
    assert list(errors) == [key]
    assert '"back_ache"' in errors[key] and '"zzz"' in errors[key]


@pytest.mark.parametrize(
    "value", ["chronic_pain", None, 3, {"chronic_pain": True}, ["chronic_pain", 1]]
)
def test_a_list_must_be_a_list_of_strings(value: Any) -> None:
    """A bare string, a number, a mapping or a list with a non-string is a wrong type."""
    errors = errors_for({"concerns": value, "red_flags": ["chest_pain"]})
    assert list(errors) == ["concerns"]
    assert "list" in errors["concerns"]


def test_post_surgery_needs_weeks_since_surgery() -> None:
    """post_surgery without weeks_since_surgery is reported under weeks_since_surgery."""
    errors = errors_for({"concerns": ["post_surgery"]})
    assert list(errors) == ["weeks_since_surgery"]
    assert "weeks" in errors["weeks_since_surgery"]


@pytest.mark.parametrize("flag", ["chest_pain", "calf_swelling"])
def test_a_red_flag_needs_no_weeks_since_surgery(flag: str) -> None:
    """R1 decides without the weeks, so a patient with a red flag is asked nothing more."""
    result = recommend({"concerns": ["post_surgery"], "red_flags": [flag]})
    assert (result.pathway, result.therapy_types) == ("refer_out", ())
    assert [reason.code for reason in result.reasons] == [flag]
    errors = errors_for({"concerns": ["post_surgery"], "red_flags": [flag], "weeks_since_surgery": 600})
    assert list(errors) == ["weeks_since_surgery"]


def test_an_empty_red_flag_list_still_needs_the_weeks() -> None:
    """Only a red flag present waives the weeks since surgery."""
    errors = errors_for({"concerns": ["post_surgery"], "red_flags": []})
    assert list(errors) == ["weeks_since_surgery"]


def test_normalised_answers_keep_only_what_was_answered() -> None:
    """The answers as kept: answered keys only, codes once in table order, no defaults added."""
    raw = {"concerns": ["relaxation", "chronic_pain"] * 500 + ["relaxation"],
           "red_flags": ["calf_swelling", "chest_pain", "chest_pain"], "weeks_since_surgery": 3}
    assert normalise_answers(raw) == {"concerns": ["chronic_pain", "relaxation"],
                                      "red_flags": ["chest_pain", "calf_swelling"]}
    assert list(normalise_answers({"preference": "massage", "concerns": ["relaxation"]})) == [
        "concerns", "preference"]
    with pytest.raises(ScreeningError):
        normalise_answers({"concerns": ["relaxation"], "extra": 1})


@pytest.mark.parametrize(
    "answers",
    [{}, {"concerns": []}, {"concerns": [], "red_flags": []}, {"precautions": ["pregnancy"]}],
)
def test_a_concern_or_red_flag_is_required(answers: dict[str, Any]) -> None:
    """Without any concern or red flag there is nothing to recommend."""
    errors = errors_for(answers)
    assert list(errors) == ["concerns"]
    assert "reason for your visit" in errors["concerns"]


def test_a_red_flag_alone_is_enough() -> None:
    """A red flag without any concern is valid and refers out."""
    assert recommend({"red_flags": ["chest_pain"]}).pathway == "refer_out"


@pytest.mark.parametrize("value", ["physio", "", None, 1, ["massage"]])
def test_preference_must_be_a_known_value(value: Any) -> None:
    """A preference outside physiotherapy, massage or no_preference is explained."""
    errors = errors_for({"concerns": ["relaxation"], "preference": value})
    assert list(errors) == ["preference"]
    assert "no_preference" in errors["preference"]


def test_all_errors_are_collected() -> None:
    """Every problem is reported at once, not just the first."""
    errors = errors_for(
        {
            "concerns": ["post_surgery", "back_ache"],
            "red_flags": "chest_pain",
            "precautions": ["pregnancy", 7],
            "pain_level": 12,
            "symptom_weeks": -1,
            "preference": "none",
            "extra": 1,
        }
    )
    assert set(errors) == {*KEYS, "extra"}


@pytest.mark.parametrize("answers", [None, [], "concerns", 42, [("concerns", ["relaxation"])]])
def test_answers_must_be_an_object(answers: Any) -> None:
    """Answers that are not a mapping are rejected under "answers"."""
    errors = errors_for(answers)
    assert list(errors) == ["answers"]
    assert "JSON object" in errors["answers"]


def test_weeks_since_surgery_is_checked_but_ignored_without_post_surgery() -> None:
    """Without post_surgery the weeks are still range-checked, then ignored."""
    assert list(errors_for({"concerns": ["relaxation"], "weeks_since_surgery": 999})) == [
        "weeks_since_surgery"
    ]
    answers = validate_answers({"concerns": ["muscle_tension"], "weeks_since_surgery": 2})
    assert answers.weeks_since_surgery is None
    assert not recommend({"concerns": ["muscle_tension"], "weeks_since_surgery": 2}).cautions


def test_answers_are_normalised() -> None:
    """Codes are de-duplicated into table order and defaults are filled in."""
    answers = validate_answers(
        {
            "concerns": ("relaxation", "chronic_pain", "relaxation", "post_surgery"),
            "precautions": ["pregnancy", "blood_clot"],
            "weeks_since_surgery": 4,
        }
    )
    assert answers == Answers(
        concerns=("chronic_pain", "post_surgery", "relaxation"),
        precautions=("blood_clot", "pregnancy"),
        weeks_since_surgery=4,
    )
    assert answers.to_dict() == {
        "concerns": ["chronic_pain", "post_surgery", "relaxation"],
        "red_flags": [],
        "precautions": ["blood_clot", "pregnancy"],
        "weeks_since_surgery": 4,
        "preference": "no_preference",
    }
