"""Why a booking change is refused: one exception per kind, each with a message for people."""

from __future__ import annotations

from collections.abc import Mapping

TAKEN = "That time was just taken. Please choose another time."


class BookingError(Exception):
    """A booking change refused: ``message`` for people, ``errors`` per field for forms and the API."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, str] = dict(errors or {})


class InvalidBooking(BookingError):
    """Some fields of the request are wrong; ``errors`` names each (dotted for the patient's)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()), errors)


class ReferredOut(InvalidBooking):
    """The screening sends the patient elsewhere first; ``advice`` says where."""

    def __init__(self, advice: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__({**(errors or {}), "screening_id": advice})
        self.advice = advice


class SlotTaken(BookingError):
    """Someone else has the therapist at that time.

    ``visit`` is which visit of a booking of several (its place in the request) was
    taken, when the re-check found it; None for a booking of one visit.
    """

    def __init__(self, message: str = TAKEN, *, visit: int | None = None) -> None:
        super().__init__(message)
        self.visit = visit


class ChangeNotAllowed(BookingError):
    """The visit can no longer be changed online (after the cut-off, or not booked)."""
