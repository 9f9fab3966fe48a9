"""An independent transcription of the screening contract, and hypothesis strategies for answers."""

import string
from typing import Any

from hypothesis import strategies as st

PHYSIOTHERAPY_INDICATORS = frozenset(
    {
        "chronic_pain",
        "injury_rehab",
        "post_surgery",
        "neurological",
        "mobility_limitation",
        "exercise_program",
    }
)
MASSAGE_INDICATORS = frozenset(
    {"muscle_tension", "stress_relief", "tension_headache", "minor_strain", "relaxation"}
)
BOTH = "athletic_performance"
CONCERNS = (*sorted(PHYSIOTHERAPY_INDICATORS), *sorted(MASSAGE_INDICATORS), BOTH)
EMERGENCY = frozenset(
    {
        "chest_pain",
        "bladder_bowel_change",
        "saddle_numbness",
        "progressive_weakness",
        "sudden_severe_headache",
    }
)
URGENT = frozenset(
    {
        "major_trauma",
        "calf_swelling",
        "fever_with_pain",
        "unexplained_weight_loss",
        "constant_night_pain",
    }
)
RED_FLAGS = (*sorted(EMERGENCY), *sorted(URGENT))
CONTRAINDICATED = frozenset({"blood_clot", "acute_infection", "contagious_skin"})
CAUTION = frozenset({"anticoagulants", "cancer_treatment", "pregnancy", "osteoporosis"})
PRECAUTIONS = (*sorted(CONTRAINDICATED), *sorted(CAUTION))
PREFERENCES = ("physiotherapy", "massage", "no_preference")
KEYS = (
    "concerns",
    "red_flags",
    "precautions",
    "pain_level",
    "symptom_weeks",
    "weeks_since_surgery",
    "preference",
)
RANGES = {"pain_level": (0, 10), "symptom_weeks": (0, 2600), "weeks_since_surgery": (0, 520)}
LISTS = {"concerns": CONCERNS, "red_flags": RED_FLAGS, "precautions": PRECAUTIONS}
ALL_CODES = frozenset(CONCERNS + RED_FLAGS + PRECAUTIONS + PREFERENCES)


def expected_outcome(answers: dict[str, Any]) -> tuple[str, str, list[str]]:
    """Return (pathway, urgency, therapy_types) straight from the contract's rules R1-R4."""
    concerns = set(answers.get("concerns", []))
    flags = set(answers.get("red_flags", []))
    precautions = set(answers.get("precautions", []))
    if flags:
        return "refer_out", "emergency" if flags & EMERGENCY else "urgent", []
    physiotherapy = bool(concerns & PHYSIOTHERAPY_INDICATORS) or BOTH in concerns
    massage = bool(concerns & MASSAGE_INDICATORS) or BOTH in concerns
    if precautions & CONTRAINDICATED and massage:
        if physiotherapy:
            return "physiotherapy", "routine", ["physiotherapy"]
        return "refer_out", "routine", []
    if physiotherapy and massage:
        return "combined", "routine", ["physiotherapy", "massage"]
    if physiotherapy:
        return "physiotherapy", "routine", ["physiotherapy"]
    return "massage", "routine", ["massage"]


def code_lists(codes: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Lists of known codes, possibly with duplicates."""
    return st.lists(st.sampled_from(codes), max_size=len(codes) + 2)


@st.composite
def valid_answers(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid answers: each optional question sometimes answered, sometimes left out."""
    concerns = draw(code_lists(CONCERNS))
    red_flags = draw(st.one_of(st.just([]), code_lists(RED_FLAGS)))
    if not concerns and not red_flags:
        concerns = [draw(st.sampled_from(CONCERNS))]
    precautions = draw(code_lists(PRECAUTIONS))
    answers: dict[str, Any] = {}
    for key, codes in (
        ("concerns", concerns),
        ("red_flags", red_flags),
        ("precautions", precautions),
    ):
        include: bool = draw(st.booleans())
        if codes or include:
            answers[key] = codes
    for key, (low, high) in RANGES.items():
        # R1 decides a red-flag screening without the weeks since surgery (the contract's Errors).
        required = key == "weeks_since_surgery" and "post_surgery" in concerns and not red_flags
        if required or draw(st.booleans()):
            answers[key] = draw(st.integers(low, high))
    if draw(st.booleans()):
        answers["preference"] = draw(st.sampled_from(PREFERENCES))
    return answers


unknown_text = st.text(string.ascii_letters + string.digits + "_ -", max_size=20).filter(
    lambda s: s not in ALL_CODES and s not in KEYS
)
not_a_string = st.one_of(st.integers(), st.booleans(), st.none(), st.floats(), st.lists(st.text()))
not_a_list = st.one_of(
    st.text(), st.integers(), st.booleans(), st.none(), st.dictionaries(st.text(), st.text())
)
not_an_integer = st.one_of(
    st.booleans(), st.floats(), st.text(), st.none(), st.lists(st.integers())
)


@st.composite
def invalid_answers(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """Valid answers with one kind of mistake added; returns (answers, key that must be named)."""
    answers = draw(valid_answers())
    mistake = draw(
        st.sampled_from(
            [
                "unknown_key",
                "unknown_code",
                "list_type",
                "item_type",
                "integer_type",
                "out_of_range",
                "preference",
                "missing_weeks",
                "nothing",
            ]
        )
    )
    if mistake == "unknown_key":
        key = draw(unknown_text)
        answers[key] = draw(st.one_of(st.text(), st.integers(), code_lists(CONCERNS)))
        return answers, key
    if mistake in ("unknown_code", "list_type", "item_type"):
        key = draw(st.sampled_from(list(LISTS)))
        codes = list(answers.get(key, []))
        if mistake == "unknown_code":
            bad: Any = draw(unknown_text)
            answers[key] = codes[: len(codes) // 2] + [bad] + codes[len(codes) // 2 :]
        elif mistake == "item_type":
            answers[key] = codes + [draw(not_a_string)]
        else:
            answers[key] = draw(not_a_list)
        return answers, key
    if mistake in ("integer_type", "out_of_range"):
        key = draw(st.sampled_from(list(RANGES)))
        low, high = RANGES[key]
        if mistake == "integer_type":
            answers[key] = draw(not_an_integer)
        else:
            answers[key] = draw(st.integers(max_value=low - 1) | st.integers(min_value=high + 1))
        return answers, key
    if mistake == "preference":
        answers["preference"] = draw(st.one_of(unknown_text, not_a_string))
        return answers, "preference"
    if mistake == "missing_weeks":
        answers["concerns"] = list(answers.get("concerns", [])) + ["post_surgery"]
        answers.pop("weeks_since_surgery", None)
        if draw(st.booleans()):
            answers["red_flags"] = []
        else:
            answers.pop("red_flags", None)
        return answers, "weeks_since_surgery"
    for key in ("concerns", "red_flags"):
        if draw(st.booleans()):
            answers.pop(key, None)
        else:
            answers[key] = []
    return answers, "concerns"
