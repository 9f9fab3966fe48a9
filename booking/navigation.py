"""The staff navigation: each page paired with the ``booking.policy`` rule that guards it, so a person sees exactly
the pages that open for them. The first page they see is their home page; the pages that set the clinic up are
listed under one entry of the menu (``menu_for``)."""

from __future__ import annotations

from dataclasses import dataclass

from booking.models import StaffUser
from booking.policy import (
    Rule,
    is_therapist,
    may_book_for_callers,
    may_read_audit_log,
    may_run_care_plans,
    may_run_the_clinic,
    may_see_patients,
    may_use_staff_pages,
)


@dataclass(frozen=True)
class Page:
    """A staff page offered in the navigation: its endpoint, its label, the rule that guards it, and the menu entry
    it is listed under (None: the menu itself)."""

    endpoint: str
    label: str
    rule: Rule
    group: str | None = None

    def shown_to(self, user: StaffUser) -> bool:
        """Whether this person sees the entry: whether the page's own rule lets them open it."""
        return self.rule(user)


@dataclass(frozen=True)
class Group:
    """A menu entry that lists several pages (the header shows it as a disclosure): its label and its pages."""

    label: str
    pages: tuple[Page, ...]


SETUP = "Clinic set-up"  # the pages that set the clinic up, listed under one menu entry

NAVIGATION = (
    Page("staff.schedule", "My schedule", is_therapist),
    Page("staff.hours", "My hours and time off", is_therapist),
    Page("staff.care_plans", "Care plans", is_therapist),
    Page("staff.calendar_feed", "Calendar feed", is_therapist),
    Page("admin.today", "Today", may_see_patients),
    Page("admin.calendar", "Calendar", may_see_patients),
    Page("admin.appointments", "Appointments", may_see_patients),
    Page("admin.book_for_caller", "Book for a caller", may_book_for_callers),
    Page("admin.care_plans", "Care plans", may_run_care_plans),
    Page("admin.waitlist", "Waitlist", may_see_patients),
    Page("admin.inbox", "Inbox", may_see_patients),
    Page("admin.therapists", "Therapists", may_run_the_clinic, SETUP),
    Page("admin.staff_logins", "Staff logins", may_run_the_clinic, SETUP),
    Page("admin.services", "Services", may_run_the_clinic, SETUP),
    Page("admin.settings", "Clinic settings", may_run_the_clinic, SETUP),
    Page("admin.notifications", "Notifications", may_run_the_clinic, SETUP),
    Page("admin.audit", "Audit log", may_read_audit_log, SETUP),
    Page("staff.account", "My account", may_use_staff_pages),
)
# The patient search box at the top of every staff page.
PATIENT_SEARCH = Page("admin.patients", "Find a patient", may_see_patients)


def navigation_for(user: StaffUser) -> list[Page]:
    """The navigation entries this staff member sees, in the menu's order (the first is their home page)."""
    return [page for page in NAVIGATION if page.shown_to(user)]


def menu_for(user: StaffUser) -> list[Page | Group]:
    """The navigation as the header shows it: each page this person sees, those of a group together in its place
    (a group's pages stand next to each other in NAVIGATION)."""
    menu: list[Page | Group] = []
    for page in navigation_for(user):
        last = menu[-1] if menu else None
        if page.group is None:
            menu.append(page)
        elif isinstance(last, Group) and last.label == page.group:
            menu[-1] = Group(last.label, (*last.pages, page))
        else:
            menu.append(Group(page.group, (page,)))
    return menu
