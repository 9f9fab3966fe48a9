"""One visit for staff: only one's own (404 otherwise, admins any), its screening in words, outcomes, notes, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from booking.clinic.limits import NOTE_LENGTH
from booking.extensions import db
from booking.models import Appointment, AuditEvent, Notification, StaffUser, VisitNote
from tests.factories import StaffUserFactory, local
from tests.staff.therapist_pages import CAUTION_TEXT, massage_therapist, visit
from tests.staff_fixtures import signed_in

NOW = local(2026, 12, 2, 11)
ANSWER_WORDS = "I take blood thinners, or I bleed or bruise easily"


@pytest.fixture
def clock_at_eleven(app: Flask) -> Iterator[None]:
    """The clock at Wednesday 2026-12-02 11:00 in Calgary (later than the staff tests' usual `clock`)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def therapist(clock_at_eleven: None) -> StaffUser:
    """Therapist A."""
    return massage_therapist()


@pytest.fixture
def started(therapist: StaffUser) -> Appointment:
    """A's booked visit that began an hour ago, with a blood-thinner caution."""
    return visit(therapist, NOW - timedelta(hours=1), caution=True, name="Avery Singh")


def fresh(appointment: Appointment) -> Appointment:
    """The visit as stored now."""
    db.session.expire_all()
    return db.session.get(Appointment, appointment.id)


def test_the_visit_shows_the_answers_in_words_the_recommendation_cautions_and_is_audited(
        client: FlaskClient, therapist: StaffUser, started: Appointment) -> None:
    page = signed_in(client, therapist).get(f"/staff/visits/{started.id}").get_data(as_text=True)
    assert "Avery Singh" in page and "Why are you coming to see us?" in page and ANSWER_WORDS in page
    assert "Relaxation and general well-being" in page and CAUTION_TEXT in page and "⚠" in page
    assert "Book a massage therapy appointment." in page
    assert [(e.action, e.subject_type, e.subject_id, e.actor_id) for e in db.session.query(AuditEvent)] == [
        ("viewed", "appointment", str(started.id), therapist.id)]


def test_another_therapists_visit_screening_and_notes_answer_404(client: FlaskClient, therapist: StaffUser,
                                                                started: Appointment) -> None:
    db.session.add(VisitNote(appointment_id=started.id, author_id=therapist.id, body="Tender left shoulder"))
    db.session.commit()
    client = signed_in(client, massage_therapist())
    page = client.get(f"/staff/visits/{started.id}")
    assert page.status_code == 404 and "Tender" not in page.get_data(as_text=True)
    assert client.post(f"/staff/visits/{started.id}/notes", data={"body": "mine"}).status_code == 404
    assert client.post(f"/staff/visits/{started.id}/outcome", data={"outcome": "completed"}).status_code == 404
    assert fresh(started).status == "booked"
    assert db.session.query(VisitNote).count() == 1
    assert db.session.query(AuditEvent).count() == 0


def test_an_unknown_visit_answers_404(client: FlaskClient, therapist: StaffUser) -> None:
    assert signed_in(client, therapist).get("/staff/visits/00000000-0000-4000-8000-000000000000").status_code == 404


def test_an_admin_opens_any_visit_but_writes_no_session_note(client: FlaskClient, therapist: StaffUser,
                                                             started: Appointment) -> None:
    db.session.add(VisitNote(appointment_id=started.id, author_id=therapist.id, body="Tender left shoulder"))
    db.session.commit()
    client = signed_in(client, StaffUserFactory(admin=True))
    page = client.get(f"/staff/visits/{started.id}").get_data(as_text=True)
    assert "Avery Singh" in page and ANSWER_WORDS in page and "Tender left shoulder" in page
    assert 'name="body"' not in page
    assert client.post(f"/staff/visits/{started.id}/notes", data={"body": "admin"}).status_code == 404


@pytest.mark.parametrize("outcome, status", [("completed", "completed"), ("no_show", "no_show")])
def test_a_started_visit_is_marked_completed_or_no_show_with_no_notice(
        client: FlaskClient, therapist: StaffUser, started: Appointment, outcome: str, status: str) -> None:
    response = signed_in(client, therapist).post(f"/staff/visits/{started.id}/outcome", data={"outcome": outcome})
    assert response.status_code == 303
    stored = fresh(started)
    assert (stored.status, stored.sequence) == (status, 1)
    assert db.session.query(Notification).count() == 0
    changed = db.session.query(AuditEvent).filter_by(action="changed").one()
    assert (changed.subject_id, changed.detail, changed.actor_id) == (str(started.id), f"status: {outcome}",
                                                                      therapist.id)
    page = client.get(response.location).get_data(as_text=True)
    assert "The visit is marked" in page and "Mark completed" not in page


def test_a_visit_that_has_not_started_cannot_be_marked(client: FlaskClient, therapist: StaffUser) -> None:
    later = visit(therapist, NOW + timedelta(hours=2))
    client = signed_in(client, therapist)
    assert "Mark completed" not in client.get(f"/staff/visits/{later.id}").get_data(as_text=True)
    response = client.post(f"/staff/visits/{later.id}/outcome", data={"outcome": "completed"})
    assert response.status_code == 409 and "has not started yet" in response.get_data(as_text=True)
    assert fresh(later).status == "booked"


@pytest.mark.parametrize("status, words", [("cancelled", "was cancelled"), ("completed", "has taken place"),
                                           ("no_show", "was missed")])
def test_only_a_booked_visit_can_be_marked(client: FlaskClient, therapist: StaffUser, status: str,
                                           words: str) -> None:
    done = visit(therapist, NOW - timedelta(hours=2), status=status)
    response = signed_in(client, therapist).post(f"/staff/visits/{done.id}/outcome", data={"outcome": "no_show"})
    assert response.status_code == 409 and words in response.get_data(as_text=True)
    assert (fresh(done).status, fresh(done).sequence) == (status, 0)


def test_an_unknown_outcome_is_refused(client: FlaskClient, therapist: StaffUser, started: Appointment) -> None:
    response = signed_in(client, therapist).post(f"/staff/visits/{started.id}/outcome", data={"outcome": "gone"})
    assert response.status_code == 400 and "completed or a no-show" in response.get_data(as_text=True)
    assert fresh(started).status == "booked"


def test_a_session_note_is_stored_shown_and_audited(client: FlaskClient, therapist: StaffUser,
                                                    started: Appointment) -> None:
    client = signed_in(client, therapist)
    response = client.post(f"/staff/visits/{started.id}/notes", data={"body": "  Worked on the upper back.  "})
    assert response.status_code == 303
    note = db.session.query(VisitNote).one()
    assert (note.kind, note.body, note.author_id, note.appointment_id) == (
        "session", "Worked on the upper back.", therapist.id, started.id)
    changed = db.session.query(AuditEvent).filter_by(action="changed").one()
    assert (changed.subject_type, changed.subject_id) == ("note", str(note.id))
    assert "upper back" not in (changed.detail or "")
    assert "Worked on the upper back." in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("body, message", [("   ", "Write the note before saving it."),
                                           ("x" * (NOTE_LENGTH + 1), f"at most {NOTE_LENGTH} characters")])
def test_an_empty_or_too_long_note_is_refused_and_what_was_typed_is_kept(
        client: FlaskClient, therapist: StaffUser, started: Appointment, body: str, message: str) -> None:
    response = signed_in(client, therapist).post(f"/staff/visits/{started.id}/notes", data={"body": body})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert body.strip() == "" or body in page
    assert db.session.query(VisitNote).count() == 0
