"""The audit log: readable by admins, filtered, paginated, newest first, never editable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from booking.extensions import db
from booking.models import AuditEvent, StaffUser
from tests.factories import StaffUserFactory, local, open_every_day
from tests.staff_fixtures import signed_in


@pytest.fixture
def admin_user(app: Flask) -> StaffUser:
    open_every_day()
    return StaffUserFactory(admin=True, email="boss@clinic.example")


def event(actor: StaffUser | None, action: str, subject: str, at, detail: str = "") -> AuditEvent:  # noqa: ANN001
    row = AuditEvent(actor_id=actor.id if actor else None, action=action, subject_type=subject, subject_id="1",
                     at=at, detail=detail or f"{action} {subject}")
    db.session.add(row)
    db.session.commit()
    return row


def details(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>((?:viewed|changed|cancelled) [a-z]+)</td>", page)


def test_newest_first_and_filtered(admin: FlaskClient, admin_user: StaffUser) -> None:
    other = StaffUserFactory(email="tess@clinic.example")
    event(other, "viewed", "screening", local(2026, 11, 1, 9))
    event(admin_user, "changed", "settings", local(2026, 11, 2, 9))
    event(admin_user, "cancelled", "appointment", local(2026, 11, 3, 23, 30))
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert details(page) == ["cancelled appointment", "changed settings", "viewed screening"]
    assert "tess@clinic.example" in page and "Nov 3, 2026, 11:30:00 p.m. MST" in page
    assert details(admin.get(f"/admin/audit?actor={other.id}").get_data(as_text=True)) == ["viewed screening"]
    assert details(admin.get("/admin/audit?action=Changed").get_data(as_text=True)) == ["changed settings"]
    assert details(admin.get("/admin/audit?subject_type=appointment").get_data(as_text=True)) == [
        "cancelled appointment"]
    assert details(admin.get("/admin/audit?from_day=2026-11-02&to_day=2026-11-03").get_data(as_text=True)) == [
        "cancelled appointment", "changed settings"]


def test_pages_of_fifty(admin: FlaskClient, admin_user: StaffUser) -> None:
    for n in range(51):
        event(admin_user, "viewed", "screening", local(2026, 11, 1, 9) + timedelta(minutes=n))
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert len(details(page)) == 50 and "Next page" in page
    assert len(details(admin.get("/admin/audit?page=2").get_data(as_text=True))) == 1


@pytest.mark.parametrize(("query", "message"), [
    ("actor=12abc", "Choose one of the staff members listed, or anyone."),
    ("from_day=2026-11-05&to_day=2026-11-01", "The end of the range must not be before its start."),
    ("to_day=yesterday", "Enter a date like 2026-11-02."),
    ("from_day=0001-01-01", "Enter a date from January 1, 2000 to December 31, 2199."),
    ("action=" + "x" * 41, "An action has at most 40 characters."),
    ("page=-1", "Choose a page from 1 to 10000."),
])
def test_a_bad_filter_is_explained(admin: FlaskClient, query: str, message: str) -> None:
    response = admin.get(f"/admin/audit?{query}")
    assert response.status_code == 200 and message in response.get_data(as_text=True)


def test_no_route_edits_or_deletes_an_event(app: Flask) -> None:
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/audit")]
    assert [rule.rule for rule in audit_rules] == ["/admin/audit"]
    assert audit_rules[0].methods <= {"GET", "HEAD", "OPTIONS"}


def test_the_database_refuses_to_edit_an_event(admin_user: StaffUser) -> None:
    row = event(admin_user, "viewed", "screening", local(2026, 11, 1, 9))
    with pytest.raises(DatabaseError, match="never edited"):
        db.session.execute(text("UPDATE audit_events SET action = 'nothing' WHERE id = :id"), {"id": row.id})
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(AuditEvent, row.id).action == "viewed"


def test_the_database_refuses_to_delete_an_event(admin_user: StaffUser) -> None:
    row = event(admin_user, "viewed", "screening", local(2026, 11, 1, 9))
    with pytest.raises(DatabaseError, match="never edited"):
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": row.id})
    db.session.rollback()
    assert db.session.get(AuditEvent, row.id) is not None


def test_a_therapist_gets_404(client: FlaskClient, admin_user: StaffUser) -> None:
    signed_in(client, StaffUserFactory())
    assert client.get("/admin/audit").status_code == 404
