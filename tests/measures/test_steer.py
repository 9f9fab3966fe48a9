"""The flag that steers a plan: the issue's examples, then properties over random courses of measurements."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.measures import ChangeKind, MeasureError, Measurement, changes_since_baseline, measure, steer

NPRS, PSFS, GROC = measure("nprs"), measure("psfs"), measure("groc")
SETTINGS = settings(max_examples=300, deadline=None)


def test_not_yet_a_meaningful_change_after_four_sessions() -> None:
    course: list[Measurement] = [{NPRS: 7, PSFS: 3}, {NPRS: 6, PSFS: 4, GROC: 1}]
    assert steer(course, sessions=3) is None
    flag = steer(course, sessions=4)
    assert flag is not None and flag.kind is ChangeKind.NOT_YET
    assert flag.title == "Not yet a meaningful change after 4 sessions"
    assert flag.explanation == (
        "After 4 sessions no measure is better than at the start by its MCID (the minimal clinically important "
        "difference). NPRS 7 to 6, 1 point better than at the start: not yet a meaningful change (the MCID is 2 "
        "points). PSFS 3 to 4, 1 point better than at the start: not yet a meaningful change (the MCID is 2 points). "
        "GROC +1, hardly any better: not yet a meaningful change (the MCID is 3 points either way). A meaningful "
        "change depends on where the patient started (Wang et al., Phys Ther 2011), so this is a prompt to look at "
        "the plan together with the patient, not a verdict on the care.")


def test_the_clinic_sets_the_number_of_sessions() -> None:
    course: list[Measurement] = [{NPRS: 7}, {NPRS: 7}]
    assert steer(course, sessions=5, after_sessions=6) is None
    flag = steer(course, sessions=6, after_sessions=6)
    assert flag is not None and flag.title == "Not yet a meaningful change after 6 sessions"


def test_a_meaningful_improvement_on_any_measure_raises_no_flag() -> None:
    assert steer([{NPRS: 7, PSFS: 3}, {NPRS: 7, PSFS: 5}], sessions=8) is None
    assert steer([{NPRS: 7, PSFS: 3}, {NPRS: 7, PSFS: 3, GROC: 3}], sessions=8) is None


def test_worse_than_the_baseline_by_the_mcid_is_flagged_at_once() -> None:
    flag = steer([{NPRS: 4, PSFS: 5}, {NPRS: 6, PSFS: 6}], sessions=1)
    assert flag is not None and flag.kind is ChangeKind.WORSE
    assert flag.title == "Worse than at the start, after 1 session"
    assert flag.explanation.startswith("A measure is worse than at the start by at least its MCID")
    assert "NPRS 4 to 6, 2 points worse than at the start: a meaningful worsening" in flag.explanation
    assert flag.explanation.endswith("not a verdict on the care.")
    # Even beside an improvement elsewhere, and when the patient rates the change as worse.
    for course in ([{NPRS: 4, PSFS: 3}, {NPRS: 6, PSFS: 6}], [{NPRS: 4}, {NPRS: 4, GROC: -3}]):
        flag = steer(course, sessions=9)
        assert flag is not None and flag.kind is ChangeKind.WORSE


def test_no_flag_without_evidence_a_baseline_alone_or_nothing_answered() -> None:
    assert steer([], sessions=10) is None
    assert steer([{NPRS: 7, PSFS: 3}], sessions=10) is None
    assert steer([{NPRS: None}, {NPRS: 5, PSFS: None}], sessions=10) is None


def test_a_measure_first_answered_later_has_its_baseline_then() -> None:
    course: list[Measurement] = [{NPRS: 7}, {NPRS: 6, PSFS: 2}, {NPRS: 6, PSFS: 5}]
    found = {each.measure.code: (each.baseline, each.latest) for each in changes_since_baseline(course)}
    assert found == {"nprs": (7, 6), "psfs": (2, 5)}
    assert steer(course, sessions=5) is None


@pytest.mark.parametrize(("sessions", "after_sessions", "message"), [
    (-1, 4, "sessions must be a whole number of at least 0; got -1"),
    (4, 0, "after_sessions must be a whole number of at least 1; got 0"),
    (4, 2.5, "after_sessions must be a whole number of at least 1; got 2.5"),
])
def test_session_counts_that_make_no_sense_are_refused(sessions: int, after_sessions: int, message: str) -> None:
    with pytest.raises(MeasureError, match=message):
        steer([], sessions, after_sessions)


@st.composite
def courses(draw: st.DrawFn) -> list[Measurement]:
    """A plan's measurements: NPRS and PSFS each answered or not, the GROC from the second on."""
    found: list[Measurement] = []
    for number in range(1, draw(st.integers(0, 6)) + 1):
        found.append({
            NPRS: draw(st.none() | st.integers(0, 10).map(float)),
            PSFS: draw(st.none() | st.integers(0, 50).map(lambda tenths: tenths / 5)),
            **({GROC: draw(st.none() | st.integers(-7, 7).map(float))} if number > 1 else {}),
        })
    return found


def kinds_by_hand(course: list[Measurement]) -> set[str]:
    """Each measure's first and last scores compared by hand: "better", "worse" or "neither" by its MCID."""
    found = set()
    for subject in (NPRS, PSFS, GROC):
        scores = [each[subject] for each in course if each.get(subject) is not None]
        if subject is GROC and scores:
            difference = scores[-1]
        elif subject is not GROC and len(scores) > 1:
            difference = (scores[-1] - scores[0]) * (1 if subject.higher_is_better else -1)
        else:
            continue
        found.add("better" if difference >= subject.mcid - 1e-9 else "worse" if difference <= -subject.mcid + 1e-9
                  else "neither")
    return found


@SETTINGS
@given(courses(), st.integers(0, 12), st.integers(1, 8))
def test_the_flag_follows_the_rule(course: list[Measurement], sessions: int, after_sessions: int) -> None:
    kinds = {{"better": ChangeKind.IMPROVED, "worse": ChangeKind.WORSE, "neither": ChangeKind.NOT_YET}[kind]
             for kind in kinds_by_hand(course)}
    flag = steer(course, sessions, after_sessions)
    if ChangeKind.WORSE in kinds:
        assert flag is not None and flag.kind is ChangeKind.WORSE
    elif kinds and ChangeKind.IMPROVED not in kinds and sessions >= after_sessions:
        assert flag is not None and flag.kind is ChangeKind.NOT_YET
    else:
        assert flag is None
    if flag is not None:
        assert flag.sessions == sessions and flag.changes
        assert flag.explanation.endswith("not a verdict on the care.")


@SETTINGS
@given(courses(), st.integers(0, 12), st.integers(1, 8))
def test_more_sessions_never_lift_a_flag(course: list[Measurement], sessions: int, after_sessions: int) -> None:
    flag, later = steer(course, sessions, after_sessions), steer(course, sessions + 1, after_sessions)
    assert flag is None or (later is not None and later.kind is flag.kind)


@SETTINGS
@given(courses(), st.integers(0, 12))
def test_a_meaningful_worsening_is_flagged_whatever_the_number_of_sessions(course: list[Measurement],
                                                                         sessions: int) -> None:
    worse = any(each.kind is ChangeKind.WORSE for each in changes_since_baseline(course))
    flag = steer(course, sessions, after_sessions=100)
    assert (flag is not None) == worse
