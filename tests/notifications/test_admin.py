"""flask notifications: what is owed or failed, with no personal data, and retrying one."""

from __future__ import annotations

from flask import Flask

from booking.models import NotificationStatus
from booking.notifications import delivery
from tests.factories import Clinic
from tests.notifications.conftest import book_visit, notifications
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
        assert result.exit_code != 0 and f"No pending or failed notification has the id {notification_id}" \
            in result.output
