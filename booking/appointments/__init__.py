"""Booking a visit after the screening, and managing it through the secret link."""

from booking.appointments import (
    find,  # noqa: F401  (adds "Manage my booking" to the blueprint)
    pairs,  # noqa: F401  (adds back-to-back pairs to the blueprint)
)
from booking.appointments.views import bp

__all__ = ["bp"]
