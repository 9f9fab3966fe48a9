"""The change since the first measurement, in the measure's better direction, judged against its MCID, with words
for it: plain ones for the patient, and for the therapists a prompt ("not yet a meaningful change"), never a verdict.

A change is meaningful from the MCID on: better by at least the MCID is an improvement, worse by at least the MCID
a worsening, anything between "not yet a meaningful change". A measure that rates the change itself (the GROC) has
no baseline and is judged on its own value. An MCID depends on the starting score (Wang et al., Phys Ther 2011),
which is why the words stop at "meaningful" and say nothing of whether care is working.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from .definition import Answers, Measure, MeasureError

# Differences are kept to six decimals, so that a PSFS mean's float noise never moves a change across its MCID.
DECIMALS = 6


class ChangeKind(enum.StrEnum):
    """Where a change stands against the measure's MCID."""

    IMPROVED = "improved"
    NOT_YET = "not_yet"
    WORSE = "worse"

    @property
    def label(self) -> str:
        """The kind as therapists' pages show it: "Not yet a meaningful change"."""
        return self.phrase.capitalize()

    @property
    def phrase(self) -> str:
        """The kind within a sentence: "not yet a meaningful change"."""
        return {ChangeKind.IMPROVED: "a meaningful improvement", ChangeKind.NOT_YET: "not yet a meaningful change",
                ChangeKind.WORSE: "a meaningful worsening"}[self]


def points(value: float, under: float | None = None) -> str:
    """A difference in points, to a tenth: "1 point", "2.5 points"; cut to a hundredth ("1.98 points") when it is
    under a threshold (an MCID) that a tenth would round it up to, so that words never cross the MCID."""
    size = round(abs(value), DECIMALS)
    number = f"{round(size, 1):g}"
    if under is not None and size < under <= round(size, 1):
        number = f"{math.floor(size * 100) / 100:g}"
    return f"{number} point" if number == "1" else f"{number} points"


def score_text(value: float) -> str:
    """A score as pages show it, to a tenth: "4", "3.7", "-2"."""
    return f"{round(value, 1):g}"


@dataclass(frozen=True)
class Change:
    """How a measure (or one of its items) changed: ``difference`` is how much better, negative when worse.

    For a measure that rates the change itself the difference is the rating (in the better direction) and there
    is no baseline. ``threshold`` is the MCID it is judged against (``item_mcid`` for one item).
    """

    measure: Measure
    kind: ChangeKind
    difference: float
    baseline: float | None
    latest: float
    threshold: float
    item: str | None = None

    def for_patient(self) -> str:
        """The change in plain words for the patient: "Your pain is 3 points lower than when you started."."""
        if self.baseline is None:
            return f"{self.measure.subject}: {self._rating().lower()}."
        subject = f'Your rating for "{self.item}"' if self.item else self.measure.subject
        raised = self.latest - self.baseline
        if round(raised, DECIMALS) == 0:
            return f"{subject} is the same as when you started."
        if points(raised) == "0 points":
            return f"{subject} is about the same as when you started."
        return f"{subject} is {points(raised)} {'higher' if raised > 0 else 'lower'} than when you started."

    def for_therapist(self) -> str:
        """The change for the therapists, a prompt and never a verdict:
        "NPRS 7 to 6, 1 point better than at the start: not yet a meaningful change (the MCID is 2 points)."."""
        name = f'{self.measure.short_name} "{self.item}"' if self.item else self.measure.short_name
        mcid = f"the MCID{' for one item' if self.item else ''} is {points(self.threshold)}"
        if self.baseline is None:
            return f"{name} {self.latest:+g}, {self._rating().lower()}: {self.kind.phrase} ({mcid} either way)."
        direction = "better" if self.difference > 0 else "worse"
        moved = (f"{points(self.difference, self.threshold)} {direction} than at the start"
                 if round(self.difference, DECIMALS) else "the same as at the start")
        return (f"{name} {score_text(self.baseline)} to {score_text(self.latest)}, {moved}: "
                f"{self.kind.phrase} ({mcid}).")

    def _rating(self) -> str:
        """A rating of the change in the scale's words, or as a number on the scale."""
        scale = self.measure.scale
        words = scale.words(int(self.latest)) if self.latest.is_integer() else None
        return words or f"{self.latest:+g} (from {scale.minimum:+d} to {scale.maximum:+d})"


def _checked(measure: Measure, score: object, which: str) -> float:
    """A score of the measure, or a MeasureError saying why it is not one."""
    if isinstance(score, bool) or not isinstance(score, int | float) or math.isnan(score):
        raise MeasureError(f"{measure.short_name}: the {which} score must be a number; got {score!r}")
    if not measure.minimum <= score <= measure.maximum:
        raise MeasureError(f"{measure.short_name}: the {which} score must be from {measure.minimum:g} to "
                           f"{measure.maximum:g}; got {score:g}")
    return float(score)


def _judged(measure: Measure, baseline: float | None, latest: float, threshold: float,
            item: str | None = None) -> Change:
    raised = latest if baseline is None else latest - baseline
    difference = round(raised if measure.higher_is_better else -raised, DECIMALS)
    kind = (ChangeKind.IMPROVED if difference >= threshold else ChangeKind.WORSE if difference <= -threshold
            else ChangeKind.NOT_YET)
    return Change(measure, kind, difference, baseline, latest, threshold, item)


def change(measure: Measure, baseline: float | None, latest: float) -> Change:
    """The change of a measure's score from the baseline (the first measurement's) to the latest.

    A measure that rates the change itself is judged on ``latest`` alone; ``baseline`` is then ignored.
    """
    latest = _checked(measure, latest, "latest")
    if measure.rates_change:
        return _judged(measure, None, latest, measure.mcid)
    if baseline is None:
        raise MeasureError(f"{measure.short_name}: a change needs the baseline score")
    return _judged(measure, _checked(measure, baseline, "baseline"), latest, measure.mcid)


def item_changes(measure: Measure, baseline: Answers, latest: Answers) -> dict[str, Change]:
    """The change of each item rated at both measurements (PSFS: each activity, against the item MCID of 3),
    in the order of the latest answers; an item added since the baseline has no change yet. Give a PSFS's answers
    by activity (``dict(zip(activities, ratings))``), so that its changes are named by them."""
    if measure.item_mcid is None:
        raise MeasureError(f"{measure.short_name} has no meaningful change for one item")
    before, after = measure.rated(baseline), measure.rated(latest)
    return {item: _judged(measure, float(before[item]), float(after[item]), measure.item_mcid, item)
            for item in after if item in before}
