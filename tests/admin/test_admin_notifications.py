"""The notifications page: pending and failed ones, no personal data, and a retry button on failed ones only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Notification
from booking.models.base import utcnow
from tests.factories import StaffUserFactory, open_every_day
from tests.staff_fixtures import signed_in


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> FlaskClient:
    open_every_day()
    return signed_in(client, StaffUserFactory(admin=True))


def notification(key: str, status: str, **fields: object) -> Notification:
    row = Notification(key=key, kind="manage_links", recipient="secret.person@example.com", status=status,
                       **{"due_at": utcnow() - timedelta(hours=1), **fields})
    db.session.add(row)
    db.session.commit()
    return row


def test_pending_and_failed_are_listed_without_personal_data(admin: FlaskClient) -> None:
    failed = notification("a", "failed", attempts=5, last_error="mail server not reachable")
    pending = notification("b", "pending")
    notification("c", "sent")
    page = admin.get("/admin/notifications").get_data(as_text=True)
    assert "mail server not reachable" in page and "manage links" in page
    assert page.index(f'<td data-label="Number">{failed.id}</td>') < page.index(f'<td data-label="Number">{pending.id}</td>')
    assert page.count('<td data-label="Kind">manage links</td>') == 2  # the sent one is not listed
    assert "secret.person" not in page


def test_only_failed_notifications_have_a_retry_button(admin: FlaskClient) -> None:
    failed = notification("a", "failed", attempts=5, last_error="refused")
    reminder = notification("r", "pending", due_at=utcnow() + timedelta(days=30))
    sending = notification("s", "sending", attempts=1, claimed_until=utcnow() + timedelta(minutes=2))
    page = admin.get("/admin/notifications").get_data(as_text=True)
    assert f'aria-label="Retry notification {failed.id}"' in page
    for waiting in (reminder, sending):
        assert f'<td data-label="Number">{waiting.id}</td>' in page and f'aria-label="Retry notification {waiting.id}"' not in page


def test_a_forged_retry_of_a_future_reminder_is_refused_and_it_stays_due_at_its_time(admin: FlaskClient) -> None:
    due = (utcnow() + timedelta(days=30)).replace(microsecond=0)
    reminder = Notification(key="appointment:x:v0:reminder:1440", kind="reminder", recipient="secret.person@example.com",
                            status="pending", due_at=due, offset_minutes=1440)
    db.session.add(reminder)
    db.session.commit()
    response = admin.post(f"/admin/notifications/{reminder.id}/retry", follow_redirects=True)
    assert response.status_code == 200
    assert f"Notification {reminder.id} has not failed: it is sent when it is due" in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(Notification, reminder.id)
    assert (row.status, row.due_at, row.attempts, row.relayed_at) == ("pending", due, 0, None)


def test_retry_makes_a_failed_notification_due_again(admin: FlaskClient) -> None:
    failed = notification("a", "failed", attempts=5, last_error="refused")
    response = admin.post(f"/admin/notifications/{failed.id}/retry")
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.get(Notification, failed.id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "will be sent again now" in admin.get("/admin/notifications").get_data(as_text=True)


@pytest.mark.parametrize("number", ["999", str(2**63)])
def test_retrying_an_unknown_or_sent_one_says_so(admin: FlaskClient, number: str) -> None:
    sent = notification("s", "sent")
    for target in (number, str(sent.id)):  # neither a failed one
        response = admin.post(f"/admin/notifications/{target}/retry", follow_redirects=True)
        assert response.status_code == 200 and "there is nothing to retry" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, sent.id).status == "sent"
