"""A measure's definition: what it asks, how its answers are scored, which way is better and by how much it counts.

Every measure, built in or a clinic's own, is one ``Measure``, read from a definition file (``files.py``). Its
answers are given by item (``{"pain": 4}``, ``{"Climbing stairs": 6, "Gardening": None}`` for a measure whose items
the patient names, the PSFS), in the order of the items or named activities (``[6, None, 4]``), or, for a one-item
measure, as the answer itself (``4``). An item left unanswered (``None``, or absent) is left out of the score,
never counted as the scale's lowest answer.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A measure's answers: by item key; in the order of its items (or of the activities the patient named); or, for a
# one-item measure, the answer itself. None, or an item left out of a mapping, is an item not answered.
Answers = Mapping[str, int | None] | Sequence[int | None] | int | None

CODE_LENGTH = 20
CODE = re.compile(r"[a-z][a-z0-9-]*")


class MeasureError(ValueError):
    """Answers, or a definition, that do not fit a measure; the message says what and where, for people."""


class Scoring(enum.StrEnum):
    """How a measure's answers make its score."""

    ANSWER = "answer"  # one item: the score is its answer
    MEAN = "mean"  # the mean of the items answered
    SUM = "sum"  # the sum of the items, once every item is answered
    PERCENT = "percent"  # the answered items' sum as a percentage of what they could span, 0 to 100


@dataclass(frozen=True)
class Anchor:
    """Words for one point of a scale: 0 is "No pain at all"."""

    value: int
    words: str


@dataclass(frozen=True)
class Scale:
    """The whole numbers every item of a measure is answered on, with words for some of them."""

    minimum: int
    maximum: int
    anchors: tuple[Anchor, ...] = ()

    def __post_init__(self) -> None:
        if self.minimum >= self.maximum:
            raise MeasureError("scale: the minimum must be below the maximum")
        values = [anchor.value for anchor in self.anchors]
        if any(not self.minimum <= value <= self.maximum for value in values):
            raise MeasureError(f"scale: every anchor must lie from {self.minimum} to {self.maximum}")
        if values != sorted(set(values)):
            raise MeasureError("scale: the anchors must be in rising order, one per value")
        if any(not anchor.words.strip() for anchor in self.anchors):
            raise MeasureError("scale: every anchor needs words")

    def words(self, value: int) -> str | None:
        """The words for a value, if the scale has them."""
        return next((anchor.words for anchor in self.anchors if anchor.value == value), None)


@dataclass(frozen=True)
class Item:
    """One fixed item of a measure: the key its answer is given under, and its wording for patients."""

    key: str
    wording: str


@dataclass(frozen=True)
class Measure:
    """A standardised measure: its wording for patients, its scoring, its range, which way is better and its MCID.

    ``items`` are the measure's fixed items; a measure whose items the patient names (the PSFS) has none, and
    takes up to ``named_items`` of them, named once at the first measurement (``naming_prompt``). A measure that
    ``rates_change`` (the GROC) asks about the change itself, so it has no baseline and is judged on its own value.
    ``subject`` names the score in sentences for patients ("Your pain is 3 points lower...").
    """

    code: str
    name: str
    short_name: str
    question: str
    subject: str
    scale: Scale
    scoring: Scoring
    higher_is_better: bool
    mcid: float
    source: str
    items: tuple[Item, ...] = ()
    named_items: int = 0
    naming_prompt: str = ""
    item_mcid: float | None = None
    asked_from: int = 1
    rates_change: bool = False
    min_answered: int = 1

    def __post_init__(self) -> None:
        if not (CODE.fullmatch(self.code) and len(self.code) <= CODE_LENGTH):
            raise MeasureError(f"code: {self.code!r} must be lower-case letters, digits and hyphens, starting with "
                               f"a letter, at most {CODE_LENGTH} characters")
        for field in ("name", "short_name", "question", "subject", "source"):
            if not getattr(self, field).strip():
                raise MeasureError(f"{field}: must not be empty")
        if self.mcid <= 0 or (self.item_mcid is not None and self.item_mcid <= 0):
            raise MeasureError("mcid: a meaningful change must be more than 0")
        if self.asked_from < 1:
            raise MeasureError("asked_from: measurements are counted from 1")
        self._check_items()

    def _check_items(self) -> None:
        """The items agree with the scoring: fixed or named (not both), enough of them, keys unique."""
        keys = [item.key for item in self.items]
        if bool(self.items) == bool(self.named_items):
            raise MeasureError("items: a measure has either fixed items or items the patient names (named_items)")
        if len(set(keys)) != len(keys) or any(not key.strip() for key in keys):
            raise MeasureError("items: every item needs a key of its own")
        if self.named_items and not self.naming_prompt.strip():
            raise MeasureError("naming_prompt: a measure whose items the patient names must ask for them")
        if self.item_mcid is not None and self.scoring is not Scoring.MEAN:
            raise MeasureError("item_mcid: only a measure scored by the mean has a meaningful change per item")
        most = self.named_items or len(self.items)
        if self.scoring is Scoring.ANSWER and most != 1:
            raise MeasureError("items: a measure scored by its answer has exactly one item")
        if self.scoring is Scoring.SUM and self.named_items:
            raise MeasureError("scoring: a sum needs fixed items (the patient's own items are scored by the mean)")
        if not 1 <= self.min_answered <= most:
            raise MeasureError(f"min_answered: must be from 1 to the number of items ({most})")

    @property
    def minimum(self) -> int:
        """The lowest score."""
        return self._bounds()[0]

    @property
    def maximum(self) -> int:
        """The highest score."""
        return self._bounds()[1]

    @property
    def values(self) -> range:
        """Every answer an item takes, lowest first (for the built-in measures, their range of scores too)."""
        return range(self.scale.minimum, self.scale.maximum + 1)

    def _bounds(self) -> tuple[int, int]:
        if self.scoring is Scoring.PERCENT:
            return 0, 100
        if self.scoring is Scoring.SUM:
            return self.scale.minimum * len(self.items), self.scale.maximum * len(self.items)
        return self.scale.minimum, self.scale.maximum

    def rated(self, answers: Answers) -> dict[str, int]:
        """The items answered and their answers, checked, by item (a named item by its position from "1" when the
        answers come in order); an unanswered item (None) is left out."""
        found: dict[str, int] = {}
        for key, answer in self._by_item(answers).items():
            if answer is None:
                continue
            where = f"{self.short_name}, {key!r}"
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise MeasureError(f"{where}: the answer must be a whole number from {self.scale.minimum} to "
                                   f"{self.scale.maximum}; got {answer!r}")
            if not self.scale.minimum <= answer <= self.scale.maximum:
                raise MeasureError(f"{where}: the answer must be from {self.scale.minimum} to "
                                   f"{self.scale.maximum}; got {answer}")
            found[key] = answer
        return found

    def _by_item(self, answers: object) -> dict[str, object]:
        """The answers by item key: a one-item measure's bare answer, or answers in the order of the items."""
        if answers is None or isinstance(answers, int):
            if len(self.items) != 1:
                raise MeasureError(f"{self.short_name}: answers are given by item, not as one number")
            return {self.items[0].key: answers}
        if isinstance(answers, Sequence) and not isinstance(answers, str):
            keys = [item.key for item in self.items] or [str(place) for place in range(1, len(answers) + 1)]
            if len(answers) != len(keys):
                raise MeasureError(f"{self.short_name}: {len(answers)} answers for {len(keys)} items")
            answers = dict(zip(keys, answers, strict=True))
        if not isinstance(answers, Mapping):
            raise MeasureError(f"{self.short_name}: answers are given by item, like {{{self._example()!r}: 4}}")
        if self.named_items and len(answers) > self.named_items:
            raise MeasureError(f"{self.short_name} takes at most {self.named_items} items; got {len(answers)}")
        known = {item.key for item in self.items}
        found: dict[str, object] = {}
        for key, answer in answers.items():
            if not isinstance(key, str) or not key.strip():
                raise MeasureError(f"{self.short_name}: every item needs a name")
            if known and key not in known:
                raise MeasureError(f"{self.short_name} has no item {key!r}")
            found[key] = answer
        return found

    def score(self, answers: Answers) -> float | None:
        """The score of the answers, or None when too few items are answered to score them."""
        rated = list(self.rated(answers).values())
        needed = len(self.items) if self.scoring is Scoring.SUM else self.min_answered
        if len(rated) < needed:
            return None
        if self.scoring is Scoring.SUM:
            return float(sum(rated))
        if self.scoring is Scoring.PERCENT:
            span = len(rated) * (self.scale.maximum - self.scale.minimum)
            return 100 * (sum(rated) - len(rated) * self.scale.minimum) / span
        return sum(rated) / len(rated)

    def _example(self) -> str:
        return self.items[0].key if self.items else "Climbing stairs"
