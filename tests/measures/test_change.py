"""The change since the baseline against the MCID: examples, the words for patients and therapists, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.measures import ChangeKind, MeasureError, change, item_changes, measure, points

NPRS, PSFS, GROC = measure("nprs"), measure("psfs"), measure("groc")
SETTINGS = settings(max_examples=300, deadline=None)
MIRROR = {ChangeKind.IMPROVED: ChangeKind.WORSE, ChangeKind.WORSE: ChangeKind.IMPROVED,
          ChangeKind.NOT_YET: ChangeKind.NOT_YET}


@pytest.mark.parametrize(("baseline", "latest", "kind", "difference"), [
    (7, 4, ChangeKind.IMPROVED, 3), (7, 5, ChangeKind.IMPROVED, 2), (7, 6, ChangeKind.NOT_YET, 1),
    (7, 7, ChangeKind.NOT_YET, 0), (4, 5, ChangeKind.NOT_YET, -1), (4, 6, ChangeKind.WORSE, -2),
])
def test_nprs_lower_is_better_and_two_points_count(baseline: int, latest: int, kind: ChangeKind,
                                                   difference: int) -> None:
    found = change(NPRS, baseline, latest)
    assert (found.kind, found.difference) == (kind, difference)


def test_psfs_counts_two_points_of_its_mean() -> None:
    assert change(PSFS, 3, 5).kind is ChangeKind.IMPROVED
    assert change(PSFS, 3, 4.8).kind is ChangeKind.NOT_YET
    assert change(PSFS, 5, 3).kind is ChangeKind.WORSE
    # Means of three activities whose float difference falls a hair under 2: still a change of 2.
    baseline = PSFS.score({"Stairs": 1, "Lifting": 2, "Gardening": 2})
    latest = PSFS.score({"Stairs": 3, "Lifting": 4, "Gardening": 4})
    assert baseline is not None and latest is not None
    assert change(PSFS, baseline, latest).kind is ChangeKind.IMPROVED


def test_each_psfs_activity_counts_three_points_and_one_added_later_has_no_change_yet() -> None:
    found = item_changes(PSFS, {"Stairs": 2, "Gardening": 5, "Driving": None},
                         {"Stairs": 5, "Gardening": 6, "Driving": 7, "Running": 1})
    assert {item: each.kind for item, each in found.items()} == {"Stairs": ChangeKind.IMPROVED,
                                                                 "Gardening": ChangeKind.NOT_YET}
    assert found["Stairs"].for_patient() == 'Your rating for "Stairs" is 3 points higher than when you started.'
    assert found["Gardening"].for_therapist() == ('PSFS "Gardening" 5 to 6, 1 point better than at the start: '
                                                  "not yet a meaningful change (the MCID for one item is 3 points).")
    with pytest.raises(MeasureError, match="NPRS has no meaningful change for one item"):
        item_changes(NPRS, {"pain": 5}, {"pain": 2})


@pytest.mark.parametrize(("rating", "kind"), [
    (7, ChangeKind.IMPROVED), (3, ChangeKind.IMPROVED), (2, ChangeKind.NOT_YET), (0, ChangeKind.NOT_YET),
    (-2, ChangeKind.NOT_YET), (-3, ChangeKind.WORSE), (-7, ChangeKind.WORSE),
])
def test_groc_is_judged_on_its_own_value(rating: int, kind: ChangeKind) -> None:
    found = change(GROC, None, rating)
    assert (found.kind, found.difference, found.baseline) == (kind, rating, None)


def test_the_patient_reads_plain_words_with_no_verdict() -> None:
    assert change(NPRS, 7, 4).for_patient() == "Your pain is 3 points lower than when you started."
    assert change(NPRS, 4, 5).for_patient() == "Your pain is 1 point higher than when you started."
    assert change(NPRS, 5, 5).for_patient() == "Your pain is the same as when you started."
    assert change(PSFS, 3, 5.5).for_patient() == "Your activities score is 2.5 points higher than when you started."
    assert change(PSFS, 3, 3.04).for_patient() == "Your activities score is about the same as when you started."
    assert change(GROC, None, 4).for_patient() == ("How you describe your condition since your care began: "
                                                  "moderately better.")


def test_the_therapists_read_a_prompt_never_a_verdict() -> None:
    assert change(NPRS, 7, 6).for_therapist() == ("NPRS 7 to 6, 1 point better than at the start: not yet a "
                                                  "meaningful change (the MCID is 2 points).")
    assert change(NPRS, 4, 7).for_therapist() == ("NPRS 4 to 7, 3 points worse than at the start: a meaningful "
                                                  "worsening (the MCID is 2 points).")
    assert change(NPRS, 6, 6).for_therapist() == ("NPRS 6 to 6, the same as at the start: not yet a meaningful "
                                                  "change (the MCID is 2 points).")
    assert change(GROC, None, -4).for_therapist() == ("GROC -4, moderately worse: a meaningful worsening "
                                                      "(the MCID is 3 points either way).")
    assert ChangeKind.NOT_YET.label == "Not yet a meaningful change"
    assert all(not {"failed", "failing", "not working", "ineffective"} & set(kind.phrase.split())
               for kind in ChangeKind)


def test_words_never_cross_the_mcid() -> None:
    """A PSFS mean just under 2 points better is not rounded up to "2 points", which would read as the MCID."""
    found = change(PSFS, 1 + 2 / 3, 3 + 39 / 60)
    assert found.kind is ChangeKind.NOT_YET
    assert "1.98 points better" in found.for_therapist()
    assert points(2.25) == "2.2 points" and points(-1) == "1 point" and points(0.96) == "1 point"


@pytest.mark.parametrize(("baseline", "latest", "message"), [
    (None, 4, "NPRS: a change needs the baseline score"),
    (5, 11, "NPRS: the latest score must be from 0 to 10; got 11"),
    (-1, 4, "NPRS: the baseline score must be from 0 to 10; got -1"),
    ("5", 4, "NPRS: the baseline score must be a number; got '5'"),
    (5, float("nan"), "NPRS: the latest score must be a number"),
])
def test_scores_that_cannot_be_compared_are_refused_clearly(baseline: object, latest: object, message: str) -> None:
    with pytest.raises(MeasureError, match=message):
        change(NPRS, baseline, latest)  # type: ignore[arg-type]


scores = st.sampled_from([NPRS, PSFS]).flatmap(lambda subject: st.tuples(
    st.just(subject), *[st.floats(subject.minimum, subject.maximum) | st.integers(0, 10) for _ in range(2)]))


@SETTINGS
@given(scores)
def test_change_is_antisymmetric(case: tuple) -> None:
    subject, first, second = case
    there, back = change(subject, first, second), change(subject, second, first)
    assert there.difference == -back.difference
    assert back.kind is MIRROR[there.kind]


@SETTINGS
@given(scores)
def test_the_kind_follows_the_difference_and_the_mcid(case: tuple) -> None:
    subject, first, second = case
    found = change(subject, first, second)
    assert abs(found.difference - (second - first) * (1 if subject.higher_is_better else -1)) < 1e-6
    assert (found.kind is ChangeKind.IMPROVED) == (found.difference >= subject.mcid)
    assert (found.kind is ChangeKind.WORSE) == (found.difference <= -subject.mcid)
    assert change(subject, first, first).kind is ChangeKind.NOT_YET


@SETTINGS
@given(st.integers(-7, 7))
def test_a_groc_rating_and_its_opposite_mirror_each_other(rating: int) -> None:
    assert change(GROC, None, -rating).kind is MIRROR[change(GROC, None, rating).kind]
