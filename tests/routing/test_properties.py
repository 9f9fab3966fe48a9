"""Contract rules that must hold for every combination of answers (hypothesis)."""

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.routing import (
    CAUTION_CODES,
    CONCERN_CODES,
    CONTRAINDICATIONS,
    EMERGENCY_FLAGS,
    MASSAGE_CAUTIONS,
    MASSAGE_CONCERNS,
    PHYSIOTHERAPY_CONCERNS,
    PRECAUTION_CODES,
    PREFERENCE_CODES,
    RED_FLAG_CODES,
    ScreeningError,
    recommend,
    refer_out_certain,
    validate_answers,
)

from .contract import (
    BOTH,
    CAUTION,
    CONCERNS,
    CONTRAINDICATED,
    EMERGENCY,
    MASSAGE_INDICATORS,
    PHYSIOTHERAPY_INDICATORS,
    PRECAUTIONS,
    PREFERENCES,
    RED_FLAGS,
    expected_outcome,
    invalid_answers,
    valid_answers,
)

THERAPY_TYPES_BY_PATHWAY = {
    "physiotherapy": ("physiotherapy",),
    "massage": ("massage",),
    "combined": ("physiotherapy", "massage"),
    "refer_out": (),
}


def test_codes_match_the_contract_tables() -> None:
    """The package's codes and their groups are exactly the contract's."""
    assert set(CONCERN_CODES) == set(CONCERNS)
    assert set(PHYSIOTHERAPY_CONCERNS) == PHYSIOTHERAPY_INDICATORS | {BOTH}
    assert set(MASSAGE_CONCERNS) == MASSAGE_INDICATORS | {BOTH}
    assert set(RED_FLAG_CODES) == set(RED_FLAGS)
    assert set(EMERGENCY_FLAGS) == EMERGENCY
    assert set(PRECAUTION_CODES) == set(PRECAUTIONS)
    assert set(CONTRAINDICATIONS) == CONTRAINDICATED
    assert set(MASSAGE_CAUTIONS) == CAUTION
    assert set(PREFERENCE_CODES) == set(PREFERENCES)


@given(valid_answers())
def test_outcome_follows_the_contract(answers: dict[str, Any]) -> None:
    """Pathway, urgency and therapy types match the contract's rules exactly."""
    result = recommend(answers)
    assert (result.pathway, result.urgency, list(result.therapy_types)) == expected_outcome(answers)
    assert result.therapy_types == THERAPY_TYPES_BY_PATHWAY[result.pathway]
    assert result.bookable == (result.pathway != "refer_out")


@given(valid_answers())
def test_red_flags_refer_out(answers: dict[str, Any]) -> None:
    """Any red flag refers out, as an emergency when any emergency flag is present (R1)."""
    result = recommend(answers)
    flags = set(answers.get("red_flags", []))
    if flags:
        assert result.pathway == "refer_out"
        assert result.therapy_types == ()
        assert result.urgency == ("emergency" if flags & EMERGENCY else "urgent")
        assert {r.code for r in result.reasons} == flags
    else:
        assert result.urgency == "routine"


@given(valid_answers())
def test_contraindications_exclude_massage_and_are_listed(answers: dict[str, Any]) -> None:
    """A contraindication never leaves massage bookable and is always listed (R4)."""
    result = recommend(answers)
    found = set(answers.get("precautions", [])) & CONTRAINDICATED
    cautions = {c.code for c in result.cautions}
    if found:
        assert "massage" not in result.therapy_types
    assert found <= cautions


@given(valid_answers())
def test_cautions_follow_r5_and_r6(answers: dict[str, Any]) -> None:
    """Massage cautions and recent surgery are listed exactly when massage is bookable."""
    result = recommend(answers)
    cautions = {c.code for c in result.cautions}
    massage = "massage" in result.therapy_types
    expected = set(answers.get("precautions", [])) & CAUTION if massage else set()
    assert cautions & CAUTION == expected
    recent = (
        massage
        and "post_surgery" in answers.get("concerns", [])
        and answers["weeks_since_surgery"] < 6
    )
    assert ("recent_surgery" in cautions) == recent
    assert cautions <= set(CAUTION_CODES)


@given(valid_answers())
def test_reasons_are_never_empty_and_name_answers(answers: dict[str, Any]) -> None:
    """Every recommendation explains itself with answer codes and plain text."""
    result = recommend(answers)
    lists = ("concerns", "red_flags", "precautions")
    given_codes = {code for key in lists for code in answers.get(key, [])}
    assert result.reasons
    for item in result.reasons + result.cautions:
        assert item.text.strip()
    assert {r.code for r in result.reasons} <= given_codes
    assert result.advice.strip()


@given(valid_answers(), st.data())
def test_a_red_flag_decides_whatever_is_left_unasked(answers: dict[str, Any], data: st.DataObject) -> None:
    """With a red flag, refer_out is certain: any of the other answers may be left out (not asked yet),
    weeks since surgery included, and the answers given still screen to the same outcome."""
    flags = set(answers.get("red_flags", []))
    result = recommend(answers)
    assert refer_out_certain(validate_answers(answers)) == bool(flags)
    if not flags:
        return
    kept = {key for key in answers if key != "red_flags" and data.draw(st.booleans())}
    partial = {key: value for key, value in answers.items() if key in kept or key == "red_flags"}
    early = recommend(partial)
    assert (early.pathway, early.urgency, early.therapy_types, early.reasons) == (
        result.pathway, result.urgency, result.therapy_types, result.reasons)


@given(valid_answers(), st.randoms(use_true_random=False))
def test_order_and_duplicates_do_not_matter(answers: dict[str, Any], rnd: Any) -> None:
    """Shuffling and repeating codes gives an identical recommendation."""
    shuffled = dict(answers)
    for key in ("concerns", "red_flags", "precautions"):
        if key in answers:
            codes = list(answers[key]) * 2
            rnd.shuffle(codes)
            shuffled[key] = codes
    assert recommend(shuffled) == recommend(answers)


@given(valid_answers(), st.sampled_from(PREFERENCES))
def test_preference_never_changes_the_decision(answers: dict[str, Any], preference: str) -> None:
    """The preference is recorded but never changes pathway, urgency or therapy types (R7)."""
    base = recommend({k: v for k, v in answers.items() if k != "preference"})
    chosen = recommend({**answers, "preference": preference})
    assert chosen.preference == preference
    assert base.preference == "no_preference"
    assert (chosen.pathway, chosen.urgency, chosen.therapy_types) == (
        base.pathway,
        base.urgency,
        base.therapy_types,
    )


@given(valid_answers())
def test_combined_books_physiotherapy_then_massage(answers: dict[str, Any]) -> None:
    """A combined plan always opens with physiotherapy."""
    result = recommend(answers)
    if result.pathway == "combined":
        assert result.therapy_types == ("physiotherapy", "massage")


@given(valid_answers())
def test_output_is_the_contract_json(answers: dict[str, Any]) -> None:
    """to_dict gives the contract's keys plus preference, and survives a JSON round trip."""
    data = recommend(answers).to_dict()
    assert list(data) == [
        "pathway",
        "urgency",
        "therapy_types",
        "reasons",
        "cautions",
        "rules_version",
        "preference",
    ]
    assert json.loads(json.dumps(data)) == data
    for item in data["reasons"] + data["cautions"]:
        assert set(item) == {"code", "text"}


@given(invalid_answers())
def test_invalid_answers_never_give_a_recommendation(case: tuple[dict[str, Any], str]) -> None:
    """Unknown keys or codes, wrong types, out-of-range numbers and missing answers all raise."""
    answers, key = case
    with pytest.raises(ScreeningError) as caught:
        recommend(answers)
    assert key in caught.value.errors
    assert all(isinstance(k, str) and m.strip() for k, m in caught.value.errors.items())


@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.text()), st.tuples(st.text())))
def test_answers_that_are_not_an_object_are_rejected(answers: Any) -> None:
    """Anything but a mapping is rejected under the key "answers"."""
    with pytest.raises(ScreeningError) as caught:
        recommend(answers)
    assert list(caught.value.errors) == ["answers"]
