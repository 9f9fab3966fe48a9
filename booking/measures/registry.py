"""The measures a clinic asks: the three built in (NPRS, PSFS, GROC) and any the clinic defines in its own files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

from .definition import Measure, MeasureError
from .files import load_directory, load_file

BUILT_IN = Path(__file__).resolve().parent / "builtin"
BUILT_IN_CODES = ("nprs", "psfs", "groc")


class Registry(Mapping[str, Measure]):
    """Measures by code, in the order they are asked."""

    def __init__(self, measures: Iterable[Measure]) -> None:
        self._measures: dict[str, Measure] = {}
        for measure in measures:
            if measure.code in self._measures:
                raise MeasureError(f"code: two measures are called {measure.code!r}")
            self._measures[measure.code] = measure

    def __getitem__(self, code: str) -> Measure:
        return self._measures[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._measures)

    def __len__(self) -> int:
        return len(self._measures)

    def measure(self, code: str) -> Measure:
        """The measure of a code; a MeasureError for a code the clinic does not know."""
        if code not in self._measures:
            raise MeasureError(f"no measure is called {code!r} (the measures are {', '.join(self._measures)})")
        return self._measures[code]

    def asked_at(self, number: int) -> tuple[Measure, ...]:
        """The measures asked at a plan's measurement ``number`` (the first is 1): GROC from the second on."""
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise MeasureError(f"measurements are counted from 1; got {number!r}")
        return tuple(measure for measure in self._measures.values() if measure.asked_from <= number)


MEASURES = Registry(load_file(BUILT_IN / f"{code}.toml") for code in BUILT_IN_CODES)


def measure(code: str) -> Measure:
    """A built-in measure by its code."""
    return MEASURES.measure(code)


def asked_at(number: int) -> tuple[Measure, ...]:
    """The built-in measures asked at measurement ``number``."""
    return MEASURES.asked_at(number)


@cache
def with_clinic_measures(directory: str | None) -> Registry:
    """The built-in measures, then those defined in the files of ``directory`` (the MEASURES_DIR setting), read once.

    A bad file, or a clinic measure with a built-in's code, is a MeasureError naming the file and the field.
    """
    if not directory:
        return MEASURES
    return Registry((*MEASURES.values(), *load_directory(Path(directory), taken=MEASURES)))
