"""The flag that steers a plan: worse than the baseline by an MCID, flagged at once; or, after the number of sessions
the clinic sets (four by default), no measure better by its MCID: "not yet a meaningful change after 4 sessions".

The flag is a prompt for both therapists to look at the plan with the patient, never a verdict on the care: an MCID
depends on where a patient starts (Wang et al., Phys Ther 2011), and a course may need longer. It is raised only on
evidence: a measure's change needs a measurement after its baseline (or a rating of change, the GROC), so a plan
whose patient has answered once, or not at all, is not flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .change import Change, ChangeKind, change
from .definition import Measure, MeasureError

AFTER_SESSIONS = 4
NOT_A_VERDICT = ("A meaningful change depends on where the patient started (Wang et al., Phys Ther 2011), so this is "
                 "a prompt to look at the plan together with the patient, not a verdict on the care.")

Measurement = Mapping[Measure, float | None]


@dataclass(frozen=True)
class Flag:
    """Why a plan is flagged (WORSE, or NOT_YET after enough sessions), after how many sessions, and each measure's
    change since its baseline."""

    kind: ChangeKind
    sessions: int
    changes: tuple[Change, ...]

    @property
    def title(self) -> str:
        """What lists and the plan page show: "Not yet a meaningful change after 4 sessions"."""
        after = f"after {self.sessions} session{'' if self.sessions == 1 else 's'}"
        if self.kind is ChangeKind.WORSE:
            return f"Worse than at the start, {after}"
        return f"Not yet a meaningful change {after}"

    @property
    def explanation(self) -> str:
        """The flag explaining itself: the rule that raised it, each measure's change, and why it is no verdict."""
        if self.kind is ChangeKind.WORSE:
            why = ("A measure is worse than at the start by at least its MCID (the minimal clinically important "
                   "difference), so the plan is flagged at once.")
        else:
            why = (f"After {self.sessions} sessions no measure is better than at the start by its MCID (the minimal "
                   "clinically important difference).")
        return " ".join((why, *(each.for_therapist() for each in self.changes), NOT_A_VERDICT))


def changes_since_baseline(measurements: Sequence[Measurement]) -> tuple[Change, ...]:
    """Each measure's change from its baseline (its first score) to its latest score, in the order first measured.

    A measure scored once has no change yet, but one that rates the change itself (the GROC) is judged on its latest.
    """
    series: dict[Measure, list[float]] = {}
    for measurement in measurements:
        for measure, score in measurement.items():
            if score is not None:
                series.setdefault(measure, []).append(score)
    return tuple(change(measure, scores[0], scores[-1]) for measure, scores in series.items()
                 if measure.rates_change or len(scores) > 1)


def steer(measurements: Sequence[Measurement], sessions: int, after_sessions: int = AFTER_SESSIONS) -> Flag | None:
    """The plan's flag, if any, from its measurements (oldest first: each the scores of the measures answered) after
    ``sessions`` sessions of the plan (both disciplines): WORSE at once when any measure is worse than its baseline by
    its MCID; NOT_YET from ``after_sessions`` sessions on when none is better by its MCID."""
    for name, value, least in (("sessions", sessions, 0), ("after_sessions", after_sessions, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise MeasureError(f"{name} must be a whole number of at least {least}; got {value!r}")
    found = changes_since_baseline(measurements)
    kinds = {each.kind for each in found}
    if ChangeKind.WORSE in kinds:
        return Flag(ChangeKind.WORSE, sessions, found)
    if found and sessions >= after_sessions and ChangeKind.IMPROVED not in kinds:
        return Flag(ChangeKind.NOT_YET, sessions, found)
    return None
