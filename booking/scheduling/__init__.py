"""Pure, time-zone-aware search for open appointment slots."""

from .model import Blocks, Interval, Slot, SlotRules, SlotSearchError, TherapistCalendar, WorkingHours
from .plans import Course, Gap, PartOfDay, PlanProposal, PlanRequest, ProposedVisit, propose_plan
from .slots import back_to_back, first_available, is_bookable, open_slots
from .unfit import Unfit, WhyNot, why_not_open

__all__ = [
    "Blocks",
    "Course", "Gap", "PartOfDay", "PlanProposal", "PlanRequest", "ProposedVisit", "propose_plan",
    "Interval",
    "Slot",
    "SlotRules",
    "SlotSearchError",
    "TherapistCalendar",
    "Unfit",
    "WhyNot",
    "WorkingHours",
    "back_to_back",
    "first_available",
    "is_bookable",
    "open_slots",
    "why_not_open",
]
