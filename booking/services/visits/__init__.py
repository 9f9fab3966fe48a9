"""Booking, cancelling and rescheduling visits: every booking change goes through this package.

Each change (``book``, ``book_course``, ``cancel``, ``reschedule``) runs in one database
transaction that the package owns and ends in ``reservation.commit``, the one
place where the notification outbox rows of the change will be written.

- ``requests``: what a booking asks for and the checks of every field;
- ``reservation``: the re-check of the slot under a row lock, lost races, the commit;
- ``create``: booking one visit or a course of several (all or none), with Idempotency-Key replays and retries;
- ``change``: cancelling and rescheduling until the cut-off (a back-to-back pair's two visits together,
  a cancelled care plan's course);
- ``course``: which visits belong with one (its care plan's other sessions, its pair's partner);
- ``patients``: who a booking belongs to (the details given and their checks, the rule for matching patients);
- ``tokens``: the secret manage links;
- ``errors``: why a change is refused.
"""

from booking.services.visits.change import (
                                             can_change,
                                             cancel,
                                             cancel_together,
                                             change_deadline,
                                             changeable_at,
                                             inside_cutoff,
                                             reschedule,
)
from booking.services.visits.course import partner, upcoming_with
from booking.services.visits.create import book, book_course
from booking.services.visits.errors import (
                                             BookingError,
                                             ChangeNotAllowed,
                                             InvalidBooking,
                                             NoneTrained,
                                             ReferredOut,
                                             SlotTaken,
)
from booking.services.visits.patients import PatientDetails
from booking.services.visits.requests import Booked, BookingRequest, CourseRequest, VisitRequest
from booking.services.visits.tokens import derive_manage_token, find_for_manage, manage_token, token_hash

__all__ = [
    "Booked",
    "BookingError",
    "BookingRequest",
    "ChangeNotAllowed",
    "CourseRequest",
    "InvalidBooking",
    "NoneTrained",
    "PatientDetails",
    "ReferredOut",
    "SlotTaken",
    "VisitRequest",
    "book",
    "book_course",
    "can_change",
    "cancel",
    "cancel_together",
    "change_deadline",
    "changeable_at",
    "derive_manage_token",
    "find_for_manage",
    "inside_cutoff",
    "manage_token",
    "partner",
    "reschedule",
    "token_hash",
    "upcoming_with",
]
