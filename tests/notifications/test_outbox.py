"""A change writes the notifications it causes in its own transaction: what is owed, when, to whom."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask

from booking.models import NotificationStatus
from booking.services.visits import SlotTaken, cancel, reschedule
from tests.factories import Clinic, local
from tests.notifications.conftest import ALEX, TEN, book_visit, notifications


def owed(**where: object) -> list[tuple[str, object]]:
    """(kind, due time) of the pending notifications."""
    return [(n.kind, n.due_at) for n in notifications(status=NotificationStatus.PENDING, **where)]


def test_a_booking_owes_a_confirmation_a_therapist_notice_two_reminders_and_its_questions(clinic: Clinic) -> None:
    visit = book_visit(clinic)  # a physiotherapy assessment: its questions are emailed the evening before
    assert sorted(owed()) == sorted([
        ("confirmation", local(2026, 11, 30, 8)), ("therapist_booked", local(2026, 11, 30, 8)),
        ("reminder", local(2026, 12, 1, 10)), ("questionnaire", local(2026, 12, 1, 18)),
        ("reminder", local(2026, 12, 2, 8))])
    therapist_notice = notifications(kind="therapist_booked")[0]
    assert therapist_notice.therapist_id == visit.therapist_id
    assert {n.recipient for n in notifications()} == {None}  # the rows name records, never addresses


def test_a_reminder_whose_time_has_passed_at_booking_is_not_owed(clinic: Clinic,
                                                                clock: time_machine.Coordinates) -> None:
    clock.move_to(TEN - timedelta(hours=3))
    book_visit(clinic)
    assert [kind for kind, _ in owed(kind="reminder")] == ["reminder"]
    assert owed(kind="reminder")[0][1] == TEN - timedelta(hours=2)


def test_a_refused_booking_owes_nothing(clinic: Clinic) -> None:
    book_visit(clinic)
    before = len(notifications())
    with pytest.raises(SlotTaken):
        book_visit(clinic, patient=ALEX)
    assert len(notifications()) == before


def test_cancelling_owes_a_cancellation_and_drops_the_reminders(clinic: Clinic) -> None:
    visit = book_visit(clinic)
    cancel(visit)
    pending = sorted(kind for kind, _ in owed(version=1))
    assert pending == ["cancelled", "therapist_cancelled"]
    assert {n.status for n in notifications(kind="reminder")} == {NotificationStatus.SKIPPED}


def test_rescheduling_moves_the_reminders_and_the_questions_to_the_new_time(clinic: Clinic) -> None:
    visit = book_visit(clinic)
    reschedule(visit, TEN + timedelta(days=1))
    assert sorted(owed(version=1)) == sorted([
        ("rescheduled", local(2026, 11, 30, 8)), ("therapist_rescheduled", local(2026, 11, 30, 8)),
        ("reminder", local(2026, 12, 2, 10)), ("questionnaire", local(2026, 12, 2, 18)),
        ("reminder", local(2026, 12, 3, 8))])
    assert {n.status for n in notifications(version=0)} == {NotificationStatus.SKIPPED}


def test_a_visit_moved_to_another_therapist_tells_both(clinic: Clinic) -> None:
    visit = book_visit(clinic)
    first, second = clinic.physiotherapists
    reschedule(visit, TEN, therapist_id=second.id)
    notices = {n.kind: n.therapist_id for n in notifications(version=1) if n.kind.startswith("therapist_")}
    assert notices == {"therapist_booked": second.id, "therapist_cancelled": first.id}


def test_the_task_handed_to_the_worker_carries_the_notification_id_only(app: Flask, clinic: Clinic) -> None:
    book_visit(clinic)
    queue = Path(app.instance_path) / "broker" / "queue"
    published = [json.loads(path.read_text()) for path in sorted(queue.glob("*.msg"))]
    ids = {n.id for n in notifications(status=NotificationStatus.PENDING) if n.due_at <= local(2026, 11, 30, 8)}
    payloads = [json.loads(base64.b64decode(message["body"]))[0] for message in published]
    assert ids <= {args[0] for args in payloads if len(args) == 1}
    text = "".join(path.read_text() for path in queue.glob("*.msg"))
    for secret in ("Alex", "alex@example.com", "+14035550101", "chronic_pain"):
        assert secret not in text
