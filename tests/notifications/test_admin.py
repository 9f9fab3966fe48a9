"""flask notifications: what is owed or failed, with no personal data, and retrying one."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask import Flask

from booking.models import NotificationStatus
from booking.notifications import delivery
from booking.outbox import relay
from tests.factories import Clinic
from tests.notifications.conftest import TEN, book_visit, deliver_due, notifications
from tests.smtp import SmtpServer


def test_the_list_shows_failed_and_pending_notifications_without_personal_data(
        app: Flask, clinic: Clinic, smtp: SmtpServer) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    smtp.sink.refuse("550 No such user here")
    delivery.deliver(confirmation.id)
    output = app.test_cli_runner().invoke(args=["notifications"]).output
    lines = output.splitlines()
    assert "last error" in lines[0]
    assert lines[1].split()[:3] == [str(confirmation.id), "failed", "confirmation"]
    assert "SMTP 550 for the recipient" in lines[1]
    assert sum("reminder" in line for line in lines) == 2
    for secret in ("Alex", "alex@example.com", "4035550101", "Morgan"):
        assert secret not in output


def test_retry_sends_a_failed_notification_again(app: Flask, clinic: Clinic, smtp: SmtpServer) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    smtp.sink.refuse("550 Mailbox full")
    delivery.deliver(confirmation.id)
    result = app.test_cli_runner().invoke(args=["notifications", "retry", str(confirmation.id)])
    assert result.exit_code == 0 and "due now" in result.output
    assert delivery.deliver(confirmation.id) == NotificationStatus.SENT
    assert len(smtp.sink.to("alex@example.com")) == 1


def test_retry_of_an_unknown_or_sent_notification_says_so(app: Flask, clinic: Clinic, smtp: SmtpServer) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    delivery.deliver(confirmation.id)
    for notification_id in (confirmation.id, 999999):
        result = app.test_cli_runner().invoke(args=["notifications", "retry", str(notification_id)])
        assert result.exit_code != 0 and "there is nothing to retry" in result.output


def test_a_reminder_waiting_for_its_time_cannot_be_retried_or_delivered_early(
        app: Flask, clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    deliver_due()
    [day_before, _] = notifications(kind="reminder")
    result = app.test_cli_runner().invoke(args=["notifications", "retry", str(day_before.id)])
    assert result.exit_code != 0 and f"Notification {day_before.id} has not failed" in result.output
    # Whatever hands it to a worker early, the worker does not send it before its time.
    assert delivery.deliver(day_before.id) == "not claimed"
    relay.relay_due()
    [row] = notifications(id=day_before.id)
    assert (row.status, row.due_at, row.relayed_at) == (NotificationStatus.PENDING, TEN - timedelta(days=1), None)
    assert not [message for message in smtp.sink.to("alex@example.com") if message["Subject"].startswith("Reminder")]
    clock.move_to(TEN - timedelta(days=1))
    assert delivery.deliver(day_before.id) == NotificationStatus.SENT
