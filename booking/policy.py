"""Who on the staff may open and do what: the one home of every access rule, in small named rules.

Each rule is a predicate, ``may_*`` (or ``is_*``), over the staff member and, for
a record, that record; a deactivated login passes none of them. A rule a
service enforces has a ``require_*`` twin that raises ``Refused``. They are
used in three places, always by name:

- the services call ``require_*`` with the person they act for before they
  write anything (a note, an outcome, a visit, a care plan, a service, a
  therapist, a login, the settings, hours, a calendar feed) or hand out
  patients' records or the audit log, so no caller, page or script, acts in
  someone else's name or past their role;
- every staff page names the rule that guards it,
  ``@staff_required(policy.may_run_the_clinic)`` (``booking.staff.access``),
  and pages and templates call the record rules to choose what to show; a
  refusal is answered with 404, as for something that does not exist;
- the staff navigation (``booking.navigation``) pairs each page with the rule
  that guards it, so a person sees exactly the pages that open for them.

This module sits just above the models: services, pages and templates may all
import it, and it imports nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, false, or_, true

from booking.models import Appointment, CarePlan, StaffRole, StaffUser

# A rule over a staff member alone, such as a page's guard (``booking.staff.access.staff_required``).
Rule = Callable[[StaffUser], bool]


class Refused(Exception):
    """The staff member may not do this; a page answers it with 404, as for something that does not exist."""


def _require(allowed: bool, what: str) -> None:
    """Raise Refused (saying what was refused, never whose health information) unless ``allowed``."""
    if not allowed:
        raise Refused(what)


# The people: every rule below is one of these, or built on them.

def may_use_staff_pages(user: StaffUser) -> bool:
    """The pages every staff member has (their account, the sign-in steps, the pages of a record): an active login."""
    return user.active


def is_admin(user: StaffUser) -> bool:
    """An active admin's login: they run the clinic."""
    return user.active and user.role == StaffRole.ADMIN


def is_therapist(user: StaffUser) -> bool:
    """An active therapist's login: their own schedule, hours, calendar feed, visits and shared care plans."""
    return user.active and user.role == StaffRole.THERAPIST


def signs_in_as(user: StaffUser, therapist_id: int | None) -> bool:
    """Whether this is the active login of that therapist."""
    return is_therapist(user) and therapist_id is not None and user.therapist_id == therapist_id


# Signing in: admins must use a second factor; therapists choose.

def must_use_second_factor(user: StaffUser) -> bool:
    """Whether the login must sign in with a code from an authenticator app too (and may not turn it off)."""
    return user.role == StaffRole.ADMIN


def may_turn_off_second_factor(user: StaffUser) -> bool:
    """Turn two-factor sign-in off: an active login that is not bound to keep it (a therapist's)."""
    return user.active and not must_use_second_factor(user)


# A therapist's own diary.

def may_keep_diary(user: StaffUser, therapist_id: int) -> bool:
    """Read a therapist's schedule, change their weekly hours, time off or calendar feed: that therapist's login."""
    return signs_in_as(user, therapist_id)


def require_keep_diary(user: StaffUser, therapist_id: int) -> None:
    """Raise Refused unless the diary is the staff member's own."""
    _require(may_keep_diary(user, therapist_id), "Only the therapist can see or change their own diary.")


def may_see_diary(user: StaffUser, therapist_id: int) -> bool:
    """Read a therapist's day or week on the calendar (its visits, their cautions): an admin, or that therapist."""
    return is_admin(user) or signs_in_as(user, therapist_id)


def require_see_diary(user: StaffUser, therapist_id: int) -> None:
    """Raise Refused unless the staff member may read the therapist's calendar."""
    _require(may_see_diary(user, therapist_id), "Only an admin or the therapist can see their calendar.")


# Visits.

def is_own_visit(user: StaffUser, visit: Appointment) -> bool:
    """Whether the visit is with the therapist this staff member signs in as."""
    return signs_in_as(user, visit.therapist_id)


def may_open_visit(user: StaffUser, visit: Appointment) -> bool:
    """Open a visit (its screening and notes): an admin, or the visit's own therapist."""
    return is_admin(user) or is_own_visit(user, visit)


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
    return is_admin(user)


def require_change_any_booking(user: StaffUser) -> None:
    """Raise Refused unless the staff member may change any booking."""
    _require(may_change_any_booking(user), "Only an admin can cancel or move a visit for the clinic.")


def may_check_in(user: StaffUser) -> bool:
    """Mark a booked visit's patient arrived, or undo the mark: an admin (the front desk)."""
    return is_admin(user)


def require_check_in(user: StaffUser) -> None:
    """Raise Refused unless the staff member may check patients in."""
    _require(may_check_in(user), "Only an admin can check a patient in.")


def may_book_for_callers(user: StaffUser) -> bool:
    """Book visits for a caller (the patient not on the site): an admin (the front desk)."""
    return is_admin(user)


def require_book_for_callers(user: StaffUser) -> None:
    """Raise Refused unless the staff member may book for callers."""
    _require(may_book_for_callers(user), "Only an admin can book for a caller.")


# Patients, the clinic, the audit log.

def may_see_patients(user: StaffUser) -> bool:
    """Find patients, read any record with its visits and screenings, join two records of one person, read and
    handle the messages sent to the clinic: an admin."""
    return is_admin(user)


def require_see_patients(user: StaffUser) -> None:
    """Raise Refused unless the staff member may see patients' records."""
    _require(may_see_patients(user), "Only an admin can find, read or join patients' records and messages.")


def may_run_the_clinic(user: StaffUser) -> bool:
    """Change the clinic's services, therapists, staff logins, settings and closed days, and retry its
    notifications: an admin."""
    return is_admin(user)


def require_run_the_clinic(user: StaffUser) -> None:
    """Raise Refused unless the staff member may change how the clinic is set up."""
    _require(may_run_the_clinic(user), "Only an admin can change the clinic's set-up.")


def may_export_outcomes(user: StaffUser) -> bool:
    """Download every plan's outcome measures, without names, for the clinic's own audit: an admin."""
    return is_admin(user)


def require_export_outcomes(user: StaffUser) -> None:
    """Raise Refused unless the staff member may export the outcomes."""
    _require(may_export_outcomes(user), "Only an admin can export the clinic's outcomes.")


def may_read_audit_log(user: StaffUser) -> bool:
    """Read the audit log (who viewed or changed what): an admin."""
    return is_admin(user)


def require_read_audit_log(user: StaffUser) -> None:
    """Raise Refused unless the staff member may read the audit log."""
    _require(may_read_audit_log(user), "Only an admin can read the audit log.")


# Care plans.

def may_run_care_plans(user: StaffUser) -> bool:
    """Make, change, dismiss or book care plans: an admin."""
    return is_admin(user)


def require_run_care_plans(user: StaffUser) -> None:
    """Raise Refused unless the staff member may run care plans."""
    _require(may_run_care_plans(user), "Only an admin can make, change or book a care plan.")


def shares_plan(user: StaffUser, plan: CarePlan) -> bool:
    """Whether the staff member is one of the plan's two therapists."""
    return is_therapist(user) and user.therapist_id in plan.therapist_ids


def may_open_plan(user: StaffUser, plan: CarePlan) -> bool:
    """Open a care plan's page: an admin, or one of its two therapists."""
    return is_admin(user) or shares_plan(user, plan)


def may_hand_off(user: StaffUser, plan: CarePlan) -> bool:
    """Write handoff notes from the plan's page: one of its two therapists."""
    return shares_plan(user, plan)


def plans_visible_to(user: StaffUser) -> ColumnElement[bool]:
    """``may_open_plan`` as a query condition on CarePlan rows: every plan for an admin, shared ones otherwise."""
    if is_admin(user):
        return true()
    if not is_therapist(user):
        return false()
    return or_(CarePlan.physiotherapist_id == user.therapist_id, CarePlan.massage_therapist_id == user.therapist_id)
