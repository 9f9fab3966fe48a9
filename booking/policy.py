"""Who on the staff may open and do what: the one home of every access rule, in small named rules.

Each rule is a predicate over (staff member, thing), ``may_*``, with a
``require_*`` twin that raises ``Refused``. The services call ``require_*``
before they write (a note, an outcome, a visit booked, marked or changed, a
care plan, a calendar feed), so no caller can write
in someone else's name; the pages call the same predicates (and
``staff_required`` the role rule) and answer a refusal with 404, as for
something that does not exist (``booking.staff.access`` also turns a
``Refused`` that reaches a page into that 404). The staff navigation is the
``NAVIGATION`` table below, shown to a person by the same role rule.

This module sits just above the models: services, pages and templates may all
import it, and it imports nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, true

from booking.models import Appointment, CarePlan, StaffRole, StaffUser, Therapist

ADMINS: tuple[str, ...] = (StaffRole.ADMIN,)
THERAPISTS: tuple[str, ...] = (StaffRole.THERAPIST,)
ANY_STAFF: tuple[str, ...] = ()


class Refused(Exception):
    """The staff member may not do this; a page answers it with 404, as for something that does not exist."""


def _require(allowed: bool, what: str) -> None:
    """Raise Refused (saying what was refused, never whose health information) unless ``allowed``."""
    if not allowed:
        raise Refused(what)


def has_role(user: StaffUser, roles: Collection[str]) -> bool:
    """Whether the staff member holds one of ``roles`` (any staff member, when none are named)."""
    return not roles or user.role in roles


def is_own_visit(user: StaffUser, visit: Appointment) -> bool:
    """Whether the visit is with the therapist this staff member signs in as."""
    return user.role == StaffRole.THERAPIST and visit.therapist_id == user.therapist_id


def may_open_visit(user: StaffUser, visit: Appointment) -> bool:
    """Open a visit (its screening and notes): an admin, or the visit's own therapist."""
    return user.is_admin or is_own_visit(user, visit)


def may_mark_visit(user: StaffUser, visit: Appointment) -> bool:
    """Mark a visit completed or a no-show: whoever may open it."""
    return may_open_visit(user, visit)


def require_mark_visit(user: StaffUser, visit: Appointment) -> None:
    """Raise Refused unless the staff member may mark the visit."""
    _require(may_mark_visit(user, visit), "Only an admin or the visit's therapist can mark this visit.")


def may_write_on_visit(user: StaffUser, visit: Appointment) -> bool:
    """Write a note (session or handoff) or record the outcome of a visit: its own therapist only."""
    return is_own_visit(user, visit)


def require_write_on_visit(user: StaffUser, visit: Appointment) -> None:
    """Raise Refused unless the staff member is the visit's own therapist."""
    _require(may_write_on_visit(user, visit), "Only the visit's therapist can write on this visit.")


def may_change_any_booking(user: StaffUser) -> bool:
    """Cancel or move any booked visit, past the patients' cut-off: an admin (the front desk)."""
    return user.is_admin


def require_change_any_booking(user: StaffUser) -> None:
    """Raise Refused unless the staff member may change any booking."""
    _require(may_change_any_booking(user), "Only an admin can cancel or move a visit for the clinic.")


def may_book_for_callers(user: StaffUser) -> bool:
    """Book visits for a caller (the patient not on the site): an admin (the front desk)."""
    return user.is_admin


def require_book_for_callers(user: StaffUser) -> None:
    """Raise Refused unless the staff member may book for callers."""
    _require(may_book_for_callers(user), "Only an admin can book for a caller.")


def may_run_care_plans(user: StaffUser) -> bool:
    """Make, change, dismiss or book care plans: an admin."""
    return user.is_admin


def require_run_care_plans(user: StaffUser) -> None:
    """Raise Refused unless the staff member may run care plans."""
    _require(may_run_care_plans(user), "Only an admin can make, change or book a care plan.")


def may_manage_feed(user: StaffUser, therapist: Therapist) -> bool:
    """Revoke or set up a therapist's calendar feed: that therapist's own login."""
    return user.role == StaffRole.THERAPIST and user.therapist_id == therapist.id


def require_manage_feed(user: StaffUser, therapist: Therapist) -> None:
    """Raise Refused unless the calendar feed is the staff member's own."""
    _require(may_manage_feed(user, therapist), "Only the therapist can change their own calendar feed.")


def shares_plan(user: StaffUser, plan: CarePlan) -> bool:
    """Whether the staff member is one of the plan's two therapists."""
    return user.therapist_id is not None and user.therapist_id in plan.therapist_ids


def may_open_plan(user: StaffUser, plan: CarePlan) -> bool:
    """Open a care plan's page: an admin, or one of its two therapists."""
    return user.is_admin or shares_plan(user, plan)


def may_hand_off(user: StaffUser, plan: CarePlan) -> bool:
    """Write handoff notes from the plan's page: one of its two therapists."""
    return user.role == StaffRole.THERAPIST and shares_plan(user, plan)


def plans_visible_to(user: StaffUser) -> ColumnElement[bool]:
    """``may_open_plan`` as a query condition on CarePlan rows: every plan for an admin, shared ones otherwise."""
    if user.is_admin:
        return true()
    return or_(CarePlan.physiotherapist_id == user.therapist_id, CarePlan.massage_therapist_id == user.therapist_id)


@dataclass(frozen=True)
class Page:
    """A staff page offered in the navigation: its endpoint, its label, and the roles it is for (any if none)."""

    endpoint: str
    label: str
    roles: tuple[str, ...] = ANY_STAFF

    def shown_to(self, user: StaffUser) -> bool:
        """Whether this person sees the entry: the same role rule ``staff_required`` applies to the page."""
        return has_role(user, self.roles)


NAVIGATION = (
    Page("staff.schedule", "My schedule", THERAPISTS),
    Page("staff.hours", "My hours and time off", THERAPISTS),
    Page("staff.care_plans", "Care plans", THERAPISTS),
    Page("staff.calendar_feed", "Calendar feed", THERAPISTS),
    Page("admin.appointments", "Appointments", ADMINS),
    Page("admin.book_for_caller", "Book for a caller", ADMINS),
    Page("admin.care_plans", "Care plans", ADMINS),
    Page("admin.therapists", "Therapists", ADMINS),
    Page("admin.staff_logins", "Staff logins", ADMINS),
    Page("admin.services", "Services", ADMINS),
    Page("admin.settings", "Clinic settings", ADMINS),
    Page("admin.inbox", "Inbox", ADMINS),
    Page("admin.notifications", "Notifications", ADMINS),
    Page("admin.audit", "Audit log", ADMINS),
    Page("staff.account", "My account"),
)
# The patient search box at the top of every staff page.
PATIENT_SEARCH = Page("admin.patients", "Find a patient", ADMINS)


def navigation_for(user: StaffUser) -> list[Page]:
    """The navigation entries this staff member sees, in the menu's order."""
    return [page for page in NAVIGATION if page.shown_to(user)]
