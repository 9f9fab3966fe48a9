"""The contact-message inbox: unhandled first, newest first; read one; mark it handled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import AuditEvent, ContactMessage, StaffUser
from booking.models.base import utcnow
from tests.factories import StaffUserFactory, open_every_day
from tests.staff_fixtures import signed_in


@pytest.fixture
def admin_user(app: Flask) -> StaffUser:
    open_every_day()
    return StaffUserFactory(admin=True)


def message(name: str, minutes_ago: int, *, handled: bool = False) -> ContactMessage:
    row = ContactMessage(name=name, email=f"{name.lower()}@example.com", message=f"Hello from {name}",
                         created_at=utcnow() - timedelta(minutes=minutes_ago),
                         handled_at=utcnow() if handled else None)
    db.session.add(row)
    db.session.commit()
    return row


def senders(page: str) -> list[str]:
    return re.findall(r'<td data-label="From">([A-Z][a-z]+)</td>', page)


def test_unhandled_first_then_newest_first(admin: FlaskClient) -> None:
    message("Olda", 50)
    message("Done", 1, handled=True)
    message("Newa", 5)
    assert [name for name in senders(admin.get("/admin/inbox").get_data(as_text=True)) if name != "Handled"] == [
        "Newa", "Olda", "Done"]


def test_read_and_mark_handled(admin: FlaskClient, admin_user: StaffUser) -> None:
    row = message("Robin", 3)
    page = admin.get(f"/admin/inbox/{row.id}").get_data(as_text=True)
    assert "Hello from Robin" in page and "robin@example.com" in page and "Mark as handled" in page
    response = admin.post(f"/admin/inbox/{row.id}/handled")
    assert response.status_code == 303
    db.session.expire_all()
    row = db.session.get(ContactMessage, row.id)
    assert row.handled_at is not None and row.handled_by_id == admin_user.id
    assert db.session.query(AuditEvent).filter_by(action="handled", subject_id=str(row.id)).count() == 1
    assert "Mark as handled" not in admin.get(f"/admin/inbox/{row.id}").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/inbox/999", f"/admin/inbox/{2**63}", "/admin/inbox/999/handled"])
def test_unknown_messages_are_not_found(admin: FlaskClient, path: str) -> None:
    response = admin.post(path) if path.endswith("handled") else admin.get(path)
    assert response.status_code == 404


def test_a_therapist_gets_404(client: FlaskClient, admin_user: StaffUser) -> None:
    signed_in(client, StaffUserFactory())
    assert client.get("/admin/inbox").status_code == 404
