"""Which Alberta privacy law a record of care falls under (pure).

Physiotherapists are custodians under the Health Information Act, so a physiotherapy record is under the HIA;
massage therapists are not, so a massage record is under the Personal Information Protection Act. A record of
both kinds of care (a combined screening or care plan) holds health information a physiotherapist uses, so it
is under the stricter HIA. One home for these words: the patient's page and the export both read them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Law:
    """A law a record falls under: its short code ("HIA") and its name as the patient reads it."""

    code: str
    name: str


HIA = Law("HIA", "Health Information Act (Alberta)")
PIPA = Law("PIPA", "Personal Information Protection Act (Alberta)")

_BY_THERAPY_TYPE = {"physiotherapy": HIA, "massage": PIPA}


def law_for(therapy_type: str) -> Law:
    """The law a record of one therapy type falls under; an unknown type is a programming error (KeyError)."""
    return _BY_THERAPY_TYPE[therapy_type]


def law_for_all(therapy_types: Iterable[str]) -> Law:
    """The law of a record about several therapy types (a combined screening or plan): the HIA if any is under it.

    A screening that allowed no therapy (the patient was sent to a doctor) still holds health information a
    physiotherapy clinic collected, so it is under the HIA too.
    """
    laws = {law_for(therapy_type) for therapy_type in therapy_types}
    return HIA if HIA in laws or not laws else PIPA
