"""QUESTIONS describes every screening question in a JSON-serialisable form."""

import json

import pytest

from booking.routing import (
    ANSWER_KEYS,
    CONCERN_CODES,
    PRECAUTION_CODES,
    PREFERENCE_CODES,
    QUESTIONS,
    RED_FLAG_CODES,
    ScreeningError,
    recommend,
)


def by_key() -> dict[str, dict[str, object]]:
    """Return the questions indexed by answer key."""
    return {q["key"]: q for q in QUESTIONS}  # type: ignore[misc]


def test_questions_are_json_and_cover_every_answer_key_in_order() -> None:
    """Every answer key has exactly one question, in the asking order."""
    assert json.loads(json.dumps(QUESTIONS)) == QUESTIONS
    assert [q["key"] for q in QUESTIONS] == list(ANSWER_KEYS)


def test_every_question_has_plain_text_and_a_kind() -> None:
    """Each question has text, a hint, a kind and a required flag or condition."""
    for question in QUESTIONS:
        assert question["kind"] in ("multi", "integer", "single")
        assert str(question["text"]).strip() and str(question["hint"]).strip()
        assert isinstance(question["required"], (bool, str))


def test_options_are_the_contract_codes() -> None:
    """The choice questions offer exactly the codes, each with text."""
    questions = by_key()
    expected = {
        "concerns": CONCERN_CODES,
        "red_flags": RED_FLAG_CODES,
        "precautions": PRECAUTION_CODES,
        "preference": PREFERENCE_CODES,
    }
    for key, codes in expected.items():
        options = questions[key]["options"]
        assert tuple(o["code"] for o in options) == codes  # type: ignore[attr-defined]
        assert all(o["text"] for o in options)  # type: ignore[attr-defined]
    concern_options = questions["concerns"]["options"]
    groups = {o["code"]: o["group"] for o in concern_options}  # type: ignore[attr-defined]
    assert groups["athletic_performance"] == "both"


def test_integer_ranges_match_validation() -> None:
    """Each number question's min and max are accepted, and one past them is not."""
    questions = by_key()
    assert questions["weeks_since_surgery"]["asked_when"] == {"concerns": "post_surgery"}
    assert questions["weeks_since_surgery"]["required_unless"] == "red_flags"
    for key in ("pain_level", "symptom_weeks", "weeks_since_surgery"):
        low, high = questions[key]["min"], questions[key]["max"]
        base = {"concerns": ["post_surgery"], "weeks_since_surgery": 1}
        recommend({**base, key: low})
        recommend({**base, key: high})
        with pytest.raises(ScreeningError):
            recommend({**base, key: high + 1})  # type: ignore[operator]
