"""Why a booking change is refused: one exception per kind, each with a message for people."""

from __future__ import annotations

from collections.abc import Callable, Mapping

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


class NoneTrained(InvalidBooking):
    """No therapist trained for the patient's cautions gives the visit then (for the first available).

    ``training`` names what they need to be trained in, for each reader's own words of
    the refusal in place of ``message`` under ``field`` (the patient's: call the clinic).
    """

    def __init__(self, field: str, training: str, message: str) -> None:
        super().__init__({field: message})
        self.field = field
        self.training = training

    def worded(self, words: Callable[[str], str]) -> NoneTrained:
        """The same refusal in a reader's ``words``, given the training in words."""
        return NoneTrained(self.field, self.training, words(self.training))


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
