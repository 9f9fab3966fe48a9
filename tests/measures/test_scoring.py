"""Scoring from the published rules, with worked examples (missing PSFS activities among them), and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.measures import MEASURES, Item, Measure, MeasureError, Scale, Scoring, asked_at, measure

NPRS, PSFS, GROC = measure("nprs"), measure("psfs"), measure("groc")
SETTINGS = settings(max_examples=200, deadline=None)


def test_the_three_built_in_measures_with_their_ranges_direction_and_mcid() -> None:
    assert list(MEASURES) == ["nprs", "psfs", "groc"]
    assert (NPRS.minimum, NPRS.maximum, NPRS.higher_is_better, NPRS.mcid) == (0, 10, False, 2)
    assert (PSFS.minimum, PSFS.maximum, PSFS.higher_is_better, PSFS.mcid, PSFS.item_mcid) == (0, 10, True, 2, 3)
    assert (GROC.minimum, GROC.maximum, GROC.higher_is_better, GROC.mcid) == (-7, 7, True, 3)
    assert PSFS.named_items == 5 and not PSFS.items and PSFS.naming_prompt
    assert "Childs" in NPRS.source and "Stratford" in PSFS.source and "Jaeschke" in GROC.source


def test_the_patients_wording_is_plain() -> None:
    assert NPRS.question == "How bad is your pain right now?"
    assert GROC.question == "Since your care began, how would you describe your condition?"
    assert [anchor.words for anchor in NPRS.scale.anchors] == ["No pain at all", "The worst pain you can imagine"]
    assert GROC.scale.words(-7) == "A very great deal worse" and GROC.scale.words(7) == "A very great deal better"
    assert [anchor.value for anchor in GROC.scale.anchors] == list(range(-7, 8))
    for each in MEASURES.values():
        words = " ".join([each.question, each.naming_prompt, *(a.words for a in each.scale.anchors)]).lower()
        assert not {"mcid", "psfs", "nprs", "groc", "functional", "scale"} & set(words.replace(".", "").split())


def test_groc_is_asked_from_the_second_measurement_on() -> None:
    assert asked_at(1) == (NPRS, PSFS)
    assert asked_at(2) == asked_at(7) == (NPRS, PSFS, GROC)
    with pytest.raises(MeasureError, match="counted from 1"):
        asked_at(0)


def test_nprs_and_groc_score_their_answer() -> None:
    assert NPRS.score({"pain": 7}) == NPRS.score(7) == NPRS.score([7]) == 7
    assert NPRS.score(None) is None
    assert NPRS.score({"pain": 0}) == 0
    assert GROC.score({"change": -7}) == -7
    assert GROC.score({"change": 3}) == 3


def test_psfs_is_the_mean_of_the_activities_rated() -> None:
    assert PSFS.score({"Climbing stairs": 3, "Lifting my child": 5, "Gardening": 4}) == 4
    assert PSFS.score({"Running": 0, "Sitting at work": 10, "Stairs": 5, "Driving": 5, "Lifting": 6}) == 5.2
    assert PSFS.score({"Climbing stairs": 2}) == 2


def test_an_unrated_psfs_activity_is_left_out_not_counted_as_zero() -> None:
    assert PSFS.score({"Climbing stairs": 2, "Lifting my child": 4, "Gardening": None}) == 3
    assert PSFS.score([2, 4, None]) == 3  # the ratings in the order of the activities, as a questionnaire keeps them
    assert PSFS.score({"Climbing stairs": 6, "Gardening": None, "Driving": None}) == 6


def test_nothing_scorable_scores_none() -> None:
    assert PSFS.score({}) is None
    assert PSFS.score({"Climbing stairs": None, "Gardening": None}) is None
    assert NPRS.score({"pain": None}) is None
    assert NPRS.score({}) is None


@pytest.mark.parametrize(("answers", "message"), [
    ({"pain": 11}, r"NPRS, 'pain': the answer must be from 0 to 10; got 11"),
    ({"pain": -1}, r"from 0 to 10; got -1"),
    ({"pain": 4.5}, r"must be a whole number from 0 to 10; got 4.5"),
    ({"pain": "4"}, r"must be a whole number from 0 to 10; got '4'"),
    ({"pain": True}, r"must be a whole number"),
    ({"ache": 4}, r"NPRS has no item 'ache'"),
    ("4", r"NPRS: answers are given by item, like \{'pain': 4\}"),
    ([4, 5], r"NPRS: 2 answers for 1 items"),
    (11, r"NPRS, 'pain': the answer must be from 0 to 10; got 11"),
])
def test_nprs_answers_out_of_range_or_of_the_wrong_kind_are_refused_clearly(answers: object, message: str) -> None:
    with pytest.raises(MeasureError, match=message):
        NPRS.score(answers)  # type: ignore[arg-type]


@pytest.mark.parametrize(("answers", "message"), [
    ({f"Activity {n}": 5 for n in range(6)}, "PSFS takes at most 5 items; got 6"),
    ({"Stairs": 12}, "PSFS, 'Stairs': the answer must be from 0 to 10; got 12"),
    ({" ": 5}, "PSFS: every item needs a name"),
    ({3: 5}, "PSFS: every item needs a name"),
    ([5, 5, 5, 5, 5, 5], "PSFS takes at most 5 items; got 6"),
    ([5, 11], "PSFS, '2': the answer must be from 0 to 10; got 11"),
    (5, "PSFS: answers are given by item, not as one number"),
])
def test_psfs_answers_that_do_not_fit_are_refused_clearly(answers: object, message: str) -> None:
    with pytest.raises(MeasureError, match=message):
        PSFS.score(answers)  # type: ignore[arg-type]


def test_groc_out_of_range_is_refused() -> None:
    with pytest.raises(MeasureError, match="GROC, 'change': the answer must be from -7 to 7; got 8"):
        GROC.score({"change": 8})


# A made-up measure of four fixed items for the sum and percent scorings (a clinic's own would come from a file).
def made_up(scoring: Scoring, higher_is_better: bool = False, min_answered: int = 1) -> Measure:
    return Measure(code="made-up", name="Made-up index", short_name="MUI", question="How hard is each of these?",
                   subject="Your made-up score", scale=Scale(0, 5), scoring=scoring, higher_is_better=higher_is_better,
                   mcid=10, source="Invented for the tests", min_answered=min_answered,
                   items=tuple(Item(key, key.capitalize()) for key in ("sit", "stand", "walk", "sleep")))


def test_a_sum_needs_every_item_and_a_percentage_is_of_the_items_answered() -> None:
    total = made_up(Scoring.SUM)
    assert (total.minimum, total.maximum) == (0, 20)
    assert total.score({"sit": 1, "stand": 2, "walk": 3, "sleep": 4}) == 10
    assert total.score({"sit": 1, "stand": 2, "walk": 3}) is None
    percent = made_up(Scoring.PERCENT, min_answered=3)
    assert (percent.minimum, percent.maximum) == (0, 100)
    assert percent.score({"sit": 1, "stand": 2, "walk": 3, "sleep": 4}) == 50
    assert percent.score({"sit": 5, "stand": 5, "walk": 2, "sleep": None}) == 80  # 12 of the 15 the three could span
    assert percent.score({"sit": 5, "stand": 5}) is None


@pytest.mark.parametrize(("change", "message"), [
    ({"mcid": 0}, "mcid: a meaningful change must be more than 0"),
    ({"code": "Made Up"}, "code: 'Made Up' must be lower-case letters"),
    ({"items": ()}, "items: a measure has either fixed items or items the patient names"),
    ({"min_answered": 5}, r"min_answered: must be from 1 to the number of items \(4\)"),
    ({"scoring": Scoring.ANSWER}, "items: a measure scored by its answer has exactly one item"),
    ({"item_mcid": 3.0, "scoring": Scoring.SUM}, "item_mcid: only a measure scored by the mean"),
    ({"asked_from": 0}, "asked_from: measurements are counted from 1"),
    ({"subject": " "}, "subject: must not be empty"),
])
def test_a_definition_that_does_not_hold_together_is_refused_by_its_field(change: dict[str, object],
                                                                          message: str) -> None:
    fields = {name: getattr(made_up(Scoring.MEAN), name) for name in Measure.__dataclass_fields__}
    with pytest.raises(MeasureError, match=message):
        Measure(**{**fields, **change})  # type: ignore[arg-type]


# Properties: any answers a measure takes score within its range, and a better answer never scores worse.
MEASURES_TO_TRY = [NPRS, PSFS, GROC, made_up(Scoring.SUM), made_up(Scoring.PERCENT, True), made_up(Scoring.MEAN)]


@st.composite
def answered(draw: st.DrawFn, subject: Measure) -> dict[str, int | None]:
    """Answers of a measure: each item answered on its scale, or not (None, or absent)."""
    keys = [item.key for item in subject.items] or [f"Activity {n}" for n in range(subject.named_items)]
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
    value = st.integers(subject.scale.minimum, subject.scale.maximum)
    return {key: draw(st.none() | value) for key in chosen}


def better(subject: Measure, score: float) -> float:
    """A score turned so that higher is better."""
    return score if subject.higher_is_better else -score


@SETTINGS
@given(st.sampled_from(MEASURES_TO_TRY).flatmap(lambda subject: st.tuples(st.just(subject), answered(subject))))
def test_every_score_lies_within_the_measures_range(case: tuple[Measure, dict[str, int | None]]) -> None:
    subject, answers = case
    score = subject.score(answers)
    assert score is None or subject.minimum <= score <= subject.maximum
    incomplete = subject.scoring is Scoring.SUM and None in [answers.get(item.key) for item in subject.items]
    assert (score is None) == (incomplete or all(value is None for value in answers.values()))


@SETTINGS
@given(st.sampled_from(MEASURES_TO_TRY).flatmap(lambda subject: st.tuples(st.just(subject), answered(subject))),
       st.data())
def test_a_better_answer_never_lowers_the_score_in_the_better_direction(
        case: tuple[Measure, dict[str, int | None]], data: st.DataObject) -> None:
    subject, answers = case
    rated = [key for key, value in answers.items() if value is not None]
    if not rated:
        return
    key = data.draw(st.sampled_from(rated))
    value = answers[key]
    assert value is not None
    ends = (value, subject.scale.maximum) if subject.higher_is_better else (subject.scale.minimum, value)
    improved = {**answers, key: data.draw(st.integers(*ends))}
    before, after = subject.score(answers), subject.score(improved)
    assert (before is None) == (after is None)
    assert before is None or after is None or better(subject, after) >= better(subject, before)


@SETTINGS
@given(answered(PSFS), st.integers(0, 10))
def test_adding_an_activity_rated_at_least_the_score_never_lowers_it(answers: dict[str, int | None],
                                                                    rating: int) -> None:
    before = PSFS.score(answers)
    if before is None or len(answers) == PSFS.named_items or rating < before:
        return
    after = PSFS.score({**answers, "An activity added later": rating})
    assert after is not None and after >= before
