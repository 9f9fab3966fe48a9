"""The patient flow: screening, booking and managing a visit."""

from booking.patients.views import bp

__all__ = ["bp"]
