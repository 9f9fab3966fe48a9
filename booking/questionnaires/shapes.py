"""The answer shapes of the three built-in measures, as the questionnaire's form needs them.

A stand-in: ``booking.measures`` (built on another branch) holds the full definitions (items,
scoring, MCID and sources). When the two meet, this module is replaced by ``booking.measures``:
``measure(code)`` and ``asked_at(measurement_number)`` keep the names and fields used here
(``code``, ``question``, ``minimum``, ``maximum``, ``asked_from``), so only the import changes.

NPRS: pain now, one whole number 0 to 10. PSFS: up to five activities the patient names at the
first measurement, each rated 0 to 10; later measurements ask about the same ones (and the
therapist may add one). GROC: the change since care began, -7 to +7, from the second measurement on.
"""

from __future__ import annotations

from dataclasses import dataclass

PSFS_ACTIVITIES = 5  # at most this many activities


@dataclass(frozen=True)
class Shape:
    """One measure's answer: its code, the question, the whole numbers allowed, the first measurement asking it,
    and what its lowest and highest answers mean (the form's hint)."""

    code: str
    question: str
    minimum: int
    maximum: int
    asked_from: int = 1
    ends: tuple[str, str] = ("", "")

    @property
    def values(self) -> range:
        """Every answer allowed, lowest first."""
        return range(self.minimum, self.maximum + 1)


MEASURES: dict[str, Shape] = {
    "nprs": Shape("nprs", "How much pain do you have right now?", 0, 10,
                  ends=("no pain", "the worst pain imaginable")),
    "psfs": Shape("psfs", "How able are you today to do each activity?", 0, 10,
                  ends=("unable to do it", "able to do it as before")),
    "groc": Shape("groc", "Since your care began, how would you describe your condition now?", -7, 7, asked_from=2,
                  ends=("a very great deal worse", "a very great deal better")),
}

# Each GROC answer in words (Jaeschke, Singer, Guyatt 1989), -7 first.
GROC_WORDS = ("A very great deal worse", "A great deal worse", "Quite a bit worse", "Moderately worse",
              "Somewhat worse", "A little bit worse", "A tiny bit worse (almost the same)", "About the same",
              "A tiny bit better (almost the same)", "A little bit better", "Somewhat better", "Moderately better",
              "Quite a bit better", "A great deal better", "A very great deal better")


def measure(code: str) -> Shape:
    """The measure with this code (a KeyError for an unknown one)."""
    return MEASURES[code]


def asked_at(measurement_number: int) -> tuple[Shape, ...]:
    """The measures asked at the n-th measurement of a course (the first is 1)."""
    return tuple(shape for shape in MEASURES.values() if shape.asked_from <= measurement_number)
