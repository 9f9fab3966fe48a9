"""When two visits are one combined-care pair: the one home of the rule, for the services and the time grid.

A pair is two visits booked together (one patient record, one screening and one care plan, or none), the first
ending exactly when the second starts (massage right before physiotherapy); two visits of one record booked apart
never are one.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Protocol


class Booked(Protocol):
    """What the rule reads of a visit (an appointment row, or a visit on the time grid)."""

    @property
    def id(self) -> Hashable: ...

    @property
    def patient_id(self) -> int: ...

    @property
    def screening_id(self) -> Hashable: ...

    @property
    def care_plan_id(self) -> int | None: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


def booking_of(visit: Booked) -> tuple[int, Hashable, int | None]:
    """What the visits booked together share: their patient record, screening and care plan (or none)."""
    return visit.patient_id, visit.screening_id, visit.care_plan_id


def one_pair(first: Booked, second: Booked) -> bool:
    """Whether the two visits are one pair: booked together, one ending exactly when the other starts."""
    return (first.id != second.id and booking_of(first) == booking_of(second)
            and (first.ends_at == second.starts_at or second.ends_at == first.starts_at))
