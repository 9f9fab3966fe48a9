"""The clinic's public pages: home, contact, health check."""

from booking.public.views import bp

__all__ = ["bp"]
