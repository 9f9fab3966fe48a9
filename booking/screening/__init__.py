"""The screening in the patient flow: questions, then the recommendation."""

from booking.screening.views import bp

__all__ = ["bp"]
