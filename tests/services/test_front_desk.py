"""The today page's sections as the service reads them: today's visits by status and who has arrived, the visits of
the last week cancelled inside the cut-off or missed, the failed notifications, the care-plan queue and the messages
not handled; one query per section, however many rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from booking.extensions import db
from booking.models import ContactMessage, Notification, StaffUser
from booking.services.care_plans.queue import ask_for_plan
from booking.services.front_desk import SECTION_SIZE, today_page
from tests.factories import AppointmentFactory, Clinic, PatientFactory, ScreeningFactory, StaffUserFactory, local
from tests.staff.therapist_pages import counted_queries, massage_therapist, visit

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary; the clinic's cut-off is 24 hours
SECTIONS = 10  # the day's visits, the late ones, the access and correction requests, the failed notifications,
# the care-plan queue, the messages, the waitlist's count and figure, and its calls to make


@pytest.fixture
def admin(clinic: Clinic) -> Iterator[StaffUser]:
    with time_machine.travel(NOW, tick=False):
        yield StaffUserFactory(admin=True)


def visit_of(name: str, starts_at: datetime, **fields: object) -> None:
    """A visit of a new massage therapist's for the patient ``name``."""
    visit(massage_therapist(), starts_at, name=name, **fields)  # type: ignore[arg-type]


def message(name: str, *, handled: bool = False) -> None:
    db.session.add(ContactMessage(name=name, email="someone@example.com", message="Hello",
                                  handled_at=NOW if handled else None))
    db.session.commit()


def notification(status: str, number: int = 0) -> None:
    db.session.add(Notification(key=f"{status}-{number}", kind="manage_links", recipient="someone@example.com",
                                status=status, due_at=NOW - timedelta(minutes=number)))
    db.session.commit()


def names(visits: list) -> list[str]:  # type: ignore[type-arg]
    return [row.patient_name for row in visits]


def test_todays_visits_by_status_with_who_has_arrived(admin: StaffUser) -> None:
    visit_of("Early Completed", local(2026, 12, 2, 8), status="completed", checked_in_at=local(2026, 12, 2, 7, 55))
    visit_of("Here Now", local(2026, 12, 2, 10), checked_in_at=NOW)
    visit_of("Not Yet", local(2026, 12, 2, 9))
    visit_of("Gone Today", local(2026, 12, 2, 11), status="cancelled", cancelled_at=NOW)
    visit_of("Tomorrow Booked", local(2026, 12, 3, 9))
    visit_of("Yesterday Booked", local(2026, 12, 1, 16))
    today = today_page(admin)
    assert today.day == NOW.date()
    assert names(today.visits) == ["Early Completed", "Not Yet", "Here Now", "Gone Today"]
    assert [(status.value, names(visits)) for status, visits in today.by_status] == [
        ("booked", ["Not Yet", "Here Now"]), ("completed", ["Early Completed"]), ("cancelled", ["Gone Today"])]
    assert today.arrived == 1


def test_late_cancellations_and_no_shows_of_today_and_the_last_seven_days(admin: StaffUser) -> None:
    visit_of("Cancelled Late", local(2026, 12, 1, 10), status="cancelled", cancelled_at=local(2026, 11, 30, 18))
    visit_of("Cancelled After It Began", local(2026, 12, 2, 8), status="cancelled", cancelled_at=local(2026, 12, 2, 9))
    visit_of("Cancelled In Time", local(2026, 12, 1, 10), status="cancelled", cancelled_at=local(2026, 11, 29, 10))
    visit_of("Missed A Week Ago", local(2026, 11, 25, 9), status="no_show")
    visit_of("Missed Too Long Ago", local(2026, 11, 24, 23), status="no_show")
    visit_of("Cancelled Late Later Today", local(2026, 12, 2, 17), status="cancelled", cancelled_at=NOW)
    visit_of("Cancelled Late Tomorrow", local(2026, 12, 3, 9), status="cancelled", cancelled_at=NOW)
    visit_of("Completed", local(2026, 12, 1, 10), status="completed")
    today = today_page(admin)
    assert names(today.late) == ["Cancelled Late Later Today", "Cancelled After It Began", "Cancelled Late",
                                 "Missed A Week Ago"]
    assert today.late_since == local(2026, 11, 25, 0).date()


def test_failed_notifications_waiting_plans_and_messages_not_handled(admin: StaffUser, clinic: Clinic) -> None:
    notification("failed", 1)
    notification("pending", 2)
    notification("sent", 3)
    message("Waiting Sender")
    message("Handled Sender", handled=True)
    ask_for_plan(clinic.screenings["combined"].id)
    ScreeningFactory(kind="combined")  # never asked for a plan nor booked: not queued
    today = today_page(admin)
    assert today.failed is not None and [row.status for row in today.failed.rows] == ["failed"]
    assert not today.failed.more
    assert [row.name for row in today.messages.rows] == ["Waiting Sender"]
    assert today.waiting_plans is not None
    assert [entry.screening.id for entry in today.waiting_plans.rows] == [clinic.screenings["combined"].id]


def test_a_long_list_shows_its_oldest_and_says_more_follow(admin: StaffUser) -> None:
    for number in range(SECTION_SIZE + 2):
        notification("failed", number)
        message(f"Sender {number}")
    today = today_page(admin)
    assert today.failed is not None and today.failed.more and len(today.failed.rows) == SECTION_SIZE
    assert today.failed.rows[0].key == f"failed-{SECTION_SIZE + 1}"  # the oldest due first
    assert today.messages.more and [row.name for row in today.messages.rows][:2] == ["Sender 0", "Sender 1"]


def test_the_page_reads_one_query_per_section_however_many_rows(admin: StaffUser, clinic: Clinic) -> None:
    def statements() -> int:
        today_page(admin)  # the settings (the cut-off) are read once and kept
        with counted_queries() as sent:
            today_page(admin)
        return len(sent)

    assert statements() == SECTIONS
    for hour in range(8, 14):
        visit_of(f"Patient {hour}", local(2026, 12, 2, hour), checked_in_at=NOW if hour < 10 else None)
        visit_of(f"Missed {hour}", local(2026, 11, 28, hour), status="no_show")
        notification("failed", hour)
        message(f"Sender {hour}")
        ask_for_plan(ScreeningFactory(kind="combined").id)
        AppointmentFactory(patient=PatientFactory(name=f"Combined {hour}"), screening=ScreeningFactory(kind="combined"),
                           starts_at=local(2026, 12, 9, hour))
    today = today_page(admin)
    assert len(today.visits) == 6 and today.waiting_plans is not None and today.waiting_plans.more
    booked = [entry for entry in today.waiting_plans.rows if entry.booked_for]
    assert booked and all(entry.patient and entry.patient.name.startswith("Combined") for entry in booked)
    assert statements() == SECTIONS
