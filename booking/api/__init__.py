"""The JSON API, version 1."""

from booking.api.views import bp

__all__ = ["bp"]
