"""Measures defined by files: one TOML file a measure, read and checked, with an error naming the file and the field.

The three built-in measures are such files (``builtin/``); a clinic adds its own in the folder its
``MEASURES_DIR`` setting names. docs/outcome-measures.md describes the fields, with an example.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from .definition import Anchor, Item, Measure, MeasureError, Scale, Scoring

SUFFIX = ".toml"


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise MeasureError("must be text")
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MeasureError("must be a whole number")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MeasureError("must be a number")
    return float(value)


def _yes_or_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise MeasureError("must be true or false")
    return value


def _scoring(value: object) -> Scoring:
    if value not in tuple(Scoring):
        raise MeasureError(f"must be one of {', '.join(repr(str(kind)) for kind in Scoring)}")
    return Scoring(str(value))


def _table(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MeasureError("must be a table")
    return value


def _tables(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise MeasureError("must be a list of tables")
    return [_table(entry) for entry in value]


def _fields(data: dict[str, Any], readers: dict[str, Callable[[object], Any]], required: set[str],
            where: str = "") -> dict[str, Any]:
    """Each field of a table read by its reader; a missing, unknown or ill-typed one is refused by name."""
    for name in data:
        if name not in readers:
            raise MeasureError(f"{where}{name}: not a known field (the fields are {', '.join(readers)})")
    missing = sorted(required - set(data))
    if missing:
        raise MeasureError(f"{where}{missing[0]}: missing")
    found = {}
    for name, value in data.items():
        try:
            found[name] = readers[name](value)
        except MeasureError as error:
            raise MeasureError(f"{where}{name}: {error}") from None
    return found


def _scale(value: object) -> Scale:
    data = _fields(_table(value), {"minimum": _whole, "maximum": _whole, "anchors": _tables},
                   {"minimum", "maximum"}, "scale.")
    anchors = tuple(Anchor(**_fields(anchor, {"value": _whole, "words": _text}, {"value", "words"},
                                     f"scale.anchors[{index}]."))
                    for index, anchor in enumerate(data.pop("anchors", [])))
    return Scale(anchors=anchors, **data)


def _items(value: object) -> tuple[Item, ...]:
    return tuple(Item(**_fields(item, {"key": _text, "wording": _text}, {"key", "wording"}, f"items[{index}]."))
                 for index, item in enumerate(_tables(value)))


READERS: dict[str, Callable[[object], Any]] = {
    "code": _text, "name": _text, "short_name": _text, "question": _text, "subject": _text, "scale": _scale,
    "scoring": _scoring, "higher_is_better": _yes_or_no, "mcid": _number, "source": _text, "items": _items,
    "named_items": _whole, "naming_prompt": _text, "item_mcid": _number, "asked_from": _whole,
    "rates_change": _yes_or_no, "min_answered": _whole,
}
REQUIRED = {"code", "name", "question", "subject", "scale", "scoring", "higher_is_better", "mcid", "source"}


def load_file(path: Path) -> Measure:
    """The measure a definition file describes; a MeasureError naming the file and the field if it is not one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise MeasureError(f"{path}: not a readable TOML file ({error})") from None
    try:
        fields = _fields(data, READERS, REQUIRED)
        fields.setdefault("short_name", fields["name"])
        return Measure(**fields)
    except MeasureError as error:
        raise MeasureError(f"{path}: {error}") from None


def load_directory(directory: Path, taken: Collection[str] = ()) -> tuple[Measure, ...]:
    """Every measure defined in a folder's .toml files, in the order of their names, each with a code of its own
    (none of ``taken``, the codes of the measures already known)."""
    if not directory.is_dir():
        raise MeasureError(f"{directory}: not a folder of measure definitions")
    found: list[Measure] = []
    codes = set(taken)
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        measure = load_file(path)
        if measure.code in codes:
            raise MeasureError(f"{path}: code: {measure.code!r} is already another measure's; give this one a code "
                               "of its own")
        codes.add(measure.code)
        found.append(measure)
    return tuple(found)
