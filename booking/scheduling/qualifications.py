"""What a therapist may be trained in, and which screening cautions only a therapist so trained may treat.

The one home of the rule: a massage for a patient whose screening carries the
``pregnancy`` caution is given only by a therapist trained in prenatal massage.
A new qualification is one more line in ``QUALIFICATIONS`` (and in ``NEEDED_FOR``
when a caution calls for it); admins then tick it on the therapist's page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

# Each qualification's code (stored with the therapist) and the label staff and patients read.
QUALIFICATIONS: Mapping[str, str] = MappingProxyType({
    "prenatal_massage": "Prenatal massage",
})

# (therapy type, caution code of the screening contract) -> the qualification the therapist needs.
NEEDED_FOR: Mapping[tuple[str, str], str] = MappingProxyType({
    ("massage", "pregnancy"): "prenatal_massage",
})


def needed(therapy_type: str, cautions: Iterable[str]) -> frozenset[str]:
    """The qualifications a therapist of this type needs to treat a patient with these cautions."""
    return frozenset(NEEDED_FOR[(therapy_type, code)] for code in cautions if (therapy_type, code) in NEEDED_FOR)


def trained(therapy_type: str, cautions: Iterable[str], held: Iterable[str]) -> bool:
    """Whether a therapist of this type, trained in ``held``, may treat a patient with these cautions."""
    return needed(therapy_type, cautions) <= set(held)


def in_words(therapy_type: str, cautions: Iterable[str]) -> str | None:
    """What a therapist of this type needs to be trained in for these cautions, in words; None if nothing."""
    return " and ".join(labels(needed(therapy_type, cautions))).lower() or None


def labels(codes: Iterable[str]) -> list[str]:
    """The labels of these qualifications, in the order they are listed above."""
    wanted = set(codes)
    return [label for code, label in QUALIFICATIONS.items() if code in wanted]
