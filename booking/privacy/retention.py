"""How long a person's records are kept: the date they may be destroyed, and the rule that gives it, in words.

The clinic keeps a person's records ``years`` (the setting, ten by default: the College's standard) after the
last service, the local date of the last visit that took place. A patient under 18 at that service is kept
that many years after their 18th birthday instead, so the birth date is needed: without it, a patient not
known to be an adult at the last service could be a minor, and nothing of theirs is destroyed until an admin
gives it ("birth date needed"). With no service at all, the years run from the day the last record was made.

Anniversaries of February 29 fall on March 1 in other years: a record is never destroyed a day early.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

ADULT_AGE = 18
OLDEST_BIRTH_YEAR = 1900
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")


class Basis(enum.StrEnum):
    """Which rule a person's date comes from."""

    ADULT = "adult"  # years after the last service
    MINOR = "minor"  # years after the 18th birthday (under 18 at the last service)
    NO_SERVICE = "no service"  # years after the last record was made: no visit took place
    BIRTH_DATE_NEEDED = "birth date needed"  # could be a minor: no date until the birth date is given


@dataclass(frozen=True)
class Person:
    """What the rule reads of a person (every record joined as them): the last service's local date (None: no
    visit took place), the day their last record was made, the birth date and the day they were said to be an
    adult, when known."""

    last_service: date | None
    last_record: date
    birth_date: date | None = None
    adult_on: date | None = None


@dataclass(frozen=True)
class Retention:
    """The rule a person's records are kept by: ``destroy_on`` (None while the birth date is needed), why, and the
    last service it counts from (None: no visit took place)."""

    basis: Basis
    destroy_on: date | None
    rule: str
    last_service: date | None

    def due(self, today: date) -> bool:
        """Whether the records may be destroyed on this local date."""
        return self.destroy_on is not None and today >= self.destroy_on


def anniversary(day: date, years: int) -> date:
    """The same day ``years`` later; February 29 becomes March 1 in a year without one (never a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def in_words(years: int) -> str:
    """"ten years", "one year", "25 years"."""
    number = NUMBER_WORDS[years] if years < len(NUMBER_WORDS) else str(years)
    return f"{number} year{'' if years == 1 else 's'}"


def is_minor(birth_date: date, on: date) -> bool:
    """Whether a person born on ``birth_date`` is under 18 on ``on``."""
    return on < anniversary(birth_date, ADULT_AGE)


def birth_date_problem(born: date, today: date) -> str | None:
    """What is wrong with a birth date typed on ``today``, in words, or None."""
    if born > today:
        return "Enter a birth date in the past, like 2010-04-23."
    if born.year < OLDEST_BIRTH_YEAR:
        return f"Enter a birth date from {OLDEST_BIRTH_YEAR} on, like 2010-04-23."
    return None


def retention(person: Person, years: int) -> Retention:
    """The date the person's records may be destroyed, kept ``years`` after the last service (see the module)."""
    if person.last_service is None:
        return Retention(Basis.NO_SERVICE, anniversary(person.last_record, years),
                         f"{in_words(years)} after the last record was made on {person.last_record}, no visit "
                         "having taken place", None)
    last = person.last_service
    if person.birth_date is not None and is_minor(person.birth_date, last):
        eighteenth = anniversary(person.birth_date, ADULT_AGE)
        return Retention(Basis.MINOR, anniversary(eighteenth, years),
                         f"{in_words(years)} after the 18th birthday on {eighteenth}, under 18 at the last service "
                         f"on {last}", last)
    if person.birth_date is None and (person.adult_on is None or person.adult_on > last):
        return Retention(Basis.BIRTH_DATE_NEEDED, None,
                         f"birth date needed: could have been under 18 at the last service on {last}", last)
    return Retention(Basis.ADULT, anniversary(last, years), f"{in_words(years)} after the last service on {last}", last)
