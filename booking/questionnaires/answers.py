"""Reading what a patient typed into a questionnaire: the stored answers, or a clear error per field.

What was typed comes as text by field name: ``nprs``; ``activity_<n>`` and ``rating_<n>`` (n from 1)
for the PSFS activities; ``groc``; at a later measurement a therapist may add ``activity_new`` with
``rating_new``. The answers are stored as ``{"nprs": 3, "psfs": [6, None, 4], "groc": 2}``: the PSFS
ratings in the order of the activities, None for one left unrated (left out of its score, not 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from booking.clinic.limits import ACTIVITY_LENGTH
from booking.measures import asked_at, measure

NEW = "new"  # the suffix of the activity a therapist adds at a later measurement


@dataclass
class Reading:
    """The answers read (complete only when ``errors`` is empty), the activities, and each field's error."""

    answers: dict[str, object] = field(default_factory=dict)
    activities: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _number(typed: str | None, code: str) -> int | None:
    """A whole number within the measure's range, or None when it is not one."""
    scale = measure(code).scale
    text = (typed or "").strip()
    if not (text.isascii() and text.lstrip("-+").isdigit()) or len(text) > 3:
        return None
    value = int(text)
    return value if scale.minimum <= value <= scale.maximum else None


def _score(typed: Mapping[str, str], name: str, code: str, message: str, reading: Reading) -> int | None:
    """The number typed in ``name``, or None with ``message`` as its error when it is missing or out of range."""
    value = _number(typed.get(name), code)
    if value is None:
        reading.errors[name] = message
    return value


def _rating(typed: Mapping[str, str], name: str, activity: str, reading: Reading, *,
            required: bool = False) -> int | None:
    """An activity's rating: None when left empty (an error if ``required``); an error when it is not one of 0 to 10."""
    if not required and not (typed.get(name) or "").strip():
        return None
    return _score(typed, name, "psfs", f'Choose how able you are today to do "{activity}", from 0 to 10.', reading)


def _named(typed: Mapping[str, str], suffix: str, reading: Reading) -> str:
    """The activity named in ``activity_<suffix>`` (spaces tidied), with an error when it is too long."""
    name = " ".join((typed.get(f"activity_{suffix}") or "").split())
    if len(name) > ACTIVITY_LENGTH:
        reading.errors[f"activity_{suffix}"] = f"Name the activity in at most {ACTIVITY_LENGTH} characters."
    return name


def _first_activities(typed: Mapping[str, str], reading: Reading) -> list[int | None]:
    """The activities named at the first measurement, each with its rating (both are needed)."""
    ratings: list[int | None] = []
    for number in range(1, measure("psfs").named_items + 1):
        name, rating_field = _named(typed, str(number), reading), f"rating_{number}"
        if not name:
            if (typed.get(rating_field) or "").strip():
                reading.errors[f"activity_{number}"] = "Name the activity you rated, or clear its rating."
            continue
        reading.activities.append(name)
        ratings.append(_rating(typed, rating_field, name, reading, required=True))
    if not reading.activities and "activity_1" not in reading.errors:
        reading.errors["activity_1"] = "Name at least one activity that is hard for you now."
    return ratings


def _later_activities(typed: Mapping[str, str], activities: Sequence[str], may_add: bool,
                      reading: Reading) -> list[int | None]:
    """The ratings of the activities named before (one may be left unrated), and the one a therapist adds."""
    reading.activities = list(activities)
    ratings = [_rating(typed, f"rating_{number}", name, reading) for number, name in enumerate(activities, 1)]
    added = _named(typed, NEW, reading) if may_add and len(activities) < measure("psfs").named_items else ""
    if added:
        reading.activities.append(added)
        ratings.append(_rating(typed, f"rating_{NEW}", added, reading, required=True))
    if activities and all(rating is None for rating in ratings) and not reading.errors:
        reading.errors["rating_1"] = "Rate at least one of the activities, from 0 to 10."
    return ratings


def read(typed: Mapping[str, str], measurement_number: int, activities: Sequence[str] = (), *,
         may_add: bool = False) -> Reading:
    """The answers of the ``measurement_number``-th measurement read from what was typed.

    ``activities`` are those named at the first measurement (none at the first); ``may_add``: a
    therapist may name one more (up to five in all).
    """
    reading = Reading()
    asked = {shape.code for shape in asked_at(measurement_number)}
    reading.answers["nprs"] = _score(typed, "nprs", "nprs", "Choose your pain right now, from 0 to 10.", reading)
    if measurement_number == 1 or not activities:
        reading.answers["psfs"] = _first_activities(typed, reading)
    else:
        reading.answers["psfs"] = _later_activities(typed, activities, may_add, reading)
    if "groc" in asked:
        reading.answers["groc"] = _score(typed, "groc", "groc",
                                         "Choose how your condition is now, from -7 to +7.", reading)
    return reading
