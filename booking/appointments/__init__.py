"""Booking a visit after the screening, and managing it through the secret link."""

from booking.appointments.views import bp

__all__ = ["bp"]
