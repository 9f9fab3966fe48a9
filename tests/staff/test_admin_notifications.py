"""The notifications page: pending and failed ones, no personal data, and a retry button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import Notification
from booking.models.base import utcnow
from tests.factories import StaffUserFactory, open_every_day
from tests.staff.conftest import signed_in


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> FlaskClient:
    open_every_day()
    return signed_in(client, StaffUserFactory(admin=True))


def notification(key: str, status: str, **fields: object) -> Notification:
    row = Notification(key=key, kind="manage_links", recipient="secret.person@example.com", status=status,
                       due_at=utcnow() - timedelta(hours=1), **fields)
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
    for target in (number, str(sent.id)):
        response = admin.post(f"/admin/notifications/{target}/retry", follow_redirects=True)
        assert response.status_code == 200 and "there is nothing to retry" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, sent.id).status == "sent"
