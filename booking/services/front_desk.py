"""The admins' today page, read in one go: what the front desk attends to today.

Its sections, each one query and each from the service that owns it: today's
visits by status with who has arrived (``visits.desk``), the access and correction requests not answered yet
with their deadlines (``privacy.access``, ``privacy.corrections``), the notifications that
failed (``outbox.retries``), the care-plan queue (``care_plans.queue``), the
messages nobody has handled (``contact``), the visits of the last days
cancelled inside the cut-off or missed (``visits.desk``), and the waitlist's line: how many wait and how well
freed times were filled (``waitlist.overview``, two queries), with the freed times to offer by phone to patients
without email (``waitlist.calls``). A section the policy does
not let the person read is left out (None), so that the page shows only what they
may open; the page itself is for whom the policy lets see patients. Nothing of a
screening is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from booking import policy
from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone
from booking.models import AccessRequest, AppointmentStatus, ContactMessage, CorrectionRequest, Notification, StaffUser
from booking.outbox import retries
from booking.services import contact
from booking.services.care_plans.queue import QueueEntry, queue
from booking.services.privacy import access, corrections
from booking.services.visits.desk import LATE_DAYS, DeskVisit, day_visits, late_or_missed
from booking.services.waitlist.calls import Call, to_call
from booking.services.waitlist.overview import FillRate, fill_rate, waiting_count

SECTION_SIZE = 10  # the most rows the page lists of the failed notifications, the queue and the messages
Row = TypeVar("Row")


@dataclass(frozen=True)
class Section(Generic[Row]):
    """The first rows of a list, and whether more follow (then the page links to all of them)."""

    rows: list[Row]
    more: bool

    @classmethod
    def of(cls, rows: list[Row]) -> Section[Row]:
        """The section of a list read with one row more than it shows."""
        return cls(rows[:SECTION_SIZE], len(rows) > SECTION_SIZE)


@dataclass(frozen=True)
class Today:
    """The today page: the day, and each section (None: not for this person)."""

    day: date
    visits: list[DeskVisit]
    late: list[DeskVisit]
    access_requests: list[AccessRequest]  # not answered yet, the soonest due first
    correction_requests: list[CorrectionRequest]  # not answered yet, the soonest due first
    failed: Section[Notification] | None
    waiting_plans: Section[QueueEntry] | None
    messages: Section[ContactMessage]
    waiting: int  # on the waitlist
    fill_rate: FillRate
    calls: list[Call] | None  # the waitlist's offers to make by phone

    @property
    def by_status(self) -> list[tuple[AppointmentStatus, list[DeskVisit]]]:
        """Today's visits by status, in the statuses' own order, each status that has any."""
        groups = [(status, [visit for visit in self.visits if visit.status == status]) for status in AppointmentStatus]
        return [(status, visits) for status, visits in groups if visits]

    @property
    def late_since(self) -> date:
        """The first day of the late cancellations and no-shows listed."""
        return self.day - timedelta(days=LATE_DAYS)

    @property
    def arrived(self) -> int:
        """How many of today's booked visits have their patient checked in."""
        return sum(1 for visit in self.visits
                   if visit.status == AppointmentStatus.BOOKED and visit.checked_in_at is not None)


def today_page(by: StaffUser, now: datetime | None = None) -> Today:
    """The today page of ``by`` at ``now``, in one query per section; Refused for anyone the policy does not let see
    patients."""
    now = moment(now)
    day = now.astimezone(clinic_zone()).date()
    return Today(
        day=day,
        visits=day_visits(day, by),
        late=late_or_missed(day, by),
        access_requests=access.open_requests(by),
        correction_requests=corrections.open_requests(by),
        failed=Section.of(retries.failed(by, SECTION_SIZE)) if policy.may_run_the_clinic(by) else None,
        waiting_plans=Section.of(queue(by)) if policy.may_run_care_plans(by) else None,
        messages=Section.of(contact.unhandled(by, SECTION_SIZE)),
        waiting=waiting_count(),
        fill_rate=fill_rate(now=now),
        calls=to_call(by, now=now) if policy.may_run_the_clinic(by) else None,
    )
