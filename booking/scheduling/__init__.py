"""Pure, time-zone-aware search for open appointment slots."""

from .model import Interval, Slot, SlotRules, SlotSearchError, TherapistCalendar, WorkingHours
from .slots import first_available, is_bookable, open_slots

__all__ = [
    "Interval",
    "Slot",
    "SlotRules",
    "SlotSearchError",
    "TherapistCalendar",
    "WorkingHours",
    "first_available",
    "is_bookable",
    "open_slots",
]
