"""Every view of health information leaves an audit row: a queued screening, an inbox message, a feed fetch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, ContactMessage, StaffUser
from tests.factories import Clinic, local, small_clinic
from tests.staff.test_feed import feed_path
from tests.staff.therapist_pages import massage_therapist, visit
from tests.staff_fixtures import signed_in


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic with a screening of each kind, on Monday 2026-11-30 at 08:00."""
    with time_machine.travel(local(2026, 11, 30, 8), tick=False):
        yield small_clinic()


def views() -> list[tuple[int | None, str, str | None, str | None]]:
    """The audit log's "viewed" rows: who, what, which, and the detail."""
    rows = db.session.execute(select(AuditEvent.actor_id, AuditEvent.subject_type, AuditEvent.subject_id,
                                     AuditEvent.detail).where(AuditEvent.action == "viewed")
                              .order_by(AuditEvent.id))
    return [tuple(row) for row in rows]


def test_opening_a_queued_screening_is_audited(client: FlaskClient, clinic: Clinic, admin_user: StaffUser) -> None:
    screening = clinic.screenings["combined"]
    response = signed_in(client, admin_user).get(f"/admin/care-plans/new/{screening.id}")
    assert response.status_code == 200
    assert (admin_user.id, "screening", str(screening.id), "queued for a care plan") in views()


def test_opening_an_inbox_message_is_audited(client: FlaskClient, clinic: Clinic, admin_user: StaffUser) -> None:
    message = ContactMessage(name="Robin", email="robin@example.com", message="My knee hurts after the visit")
    db.session.add(message)
    db.session.commit()
    admin = signed_in(client, admin_user)
    assert admin.get("/admin/inbox").status_code == 200
    assert views() == []  # the list shows no message in full
    assert admin.get(f"/admin/inbox/{message.id}").status_code == 200
    assert views() == [(admin_user.id, "contact_message", str(message.id), None)]


def test_every_calendar_feed_fetch_is_audited_as_the_therapists_login(app: Flask, client: FlaskClient,
                                                                      clinic: Clinic) -> None:
    therapist = massage_therapist()
    visit(therapist, local(2026, 12, 3, 10), name="Avery Singh")
    path = feed_path(client, therapist)
    calendar_app = app.test_client()  # no cookie: the link is its only key
    for _ in range(2):
        assert calendar_app.get(path).status_code == 200
    fetched = (therapist.id, "calendar feed", str(therapist.therapist_id), "fetched by a calendar app, visits shown: 1")
    assert views() == [fetched, fetched]
    assert calendar_app.get(path.replace("/feed/", "/feed/9")).status_code == 404
    assert len(views()) == 2
