"""The admins' today page, their home: today's visits by status with who has arrived and a check-in button per booked
visit, the notifications that failed, the care-plan queue, the messages not handled and the visits cancelled late or
missed, each linked to where it is handled; patients by name, never their screening; the same queries however many
rows. (Checking in: test_check_in.py; the sections' rules: tests/services/test_front_desk.py.)"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, ContactMessage, Notification
from booking.services.care_plans.queue import ask_for_plan
from tests.factories import Clinic, local
from tests.staff.therapist_pages import CAUTION_TEXT, counted_queries, massage_therapist, visit
from tests.staff_fixtures import clinic_with_admin

NOW = local(2026, 12, 2, 9, 40)  # Wednesday morning in Calgary
clinic, admin_user, admin = clinic_with_admin(NOW)


def visit_of(name: str, starts_at: datetime, **fields: object) -> Appointment:
    return visit(massage_therapist(), starts_at, name=name, **fields)  # type: ignore[arg-type]


def page(admin: FlaskClient) -> str:
    response = admin.get("/admin/today")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, heading: str) -> str:
    """The HTML of the section under the h2 or h3 ``heading``, up to the next heading of either level."""
    return re.split(r"<h[23][^>]*>", html.split(f">{heading}</h", 1)[1], maxsplit=1)[0]


def test_todays_visits_by_status_with_check_in_buttons_for_the_booked(admin: FlaskClient) -> None:
    here = visit_of("Harper Here", local(2026, 12, 2, 10), checked_in_at=local(2026, 12, 2, 9, 32))
    waiting = visit_of("Wren Waiting", local(2026, 12, 2, 11))
    done = visit_of("Dale Done", local(2026, 12, 2, 8), status="completed", checked_in_at=local(2026, 12, 2, 7, 55))
    visit_of("Tess Tomorrow", local(2026, 12, 3, 10))
    html = page(admin)
    assert "<h1>Today, Wednesday December 2, 2026</h1>" in html
    assert "3 visits: 2 booked (1 arrived), 1 completed." in html
    assert 'href="/admin/appointments?day=2026-12-02"' in html
    booked = section(html, "Booked")
    assert booked.index("Harper Here") < booked.index("Wren Waiting")  # by time
    assert "Arrived at 9:32 a.m." in booked and "Undo check-in<span class=\"visually-hidden\"> of Harper Here" in booked
    assert "Check in<span class=\"visually-hidden\"> Wren Waiting" in booked
    assert booked.count('name="next" value="/admin/today"') == 2
    for visit_id in (here.id, waiting.id):
        assert f'action="/admin/appointments/{visit_id}/check-in"' in booked
        assert f'href="/admin/appointments/{visit_id}"' in booked
    completed = section(html, "Completed")
    assert "Dale Done" in completed and "Arrived at 7:55 a.m." in completed and "check-in" not in completed
    assert f'href="/admin/patients/{done.patient_id}"' in completed
    assert "Tess Tomorrow" not in html


def test_what_waits_for_an_admin_links_to_where_it_is_handled(admin: FlaskClient, clinic: Clinic) -> None:
    missed = visit_of("Noel Noshow", local(2026, 11, 30, 14), status="no_show")
    late = visit_of("Lee Late", local(2026, 12, 1, 10), status="cancelled", cancelled_at=local(2026, 11, 30, 18))
    visit_of("Ina Intime", local(2026, 12, 1, 10), status="cancelled", cancelled_at=local(2026, 11, 29, 9))
    message = ContactMessage(name="Sam Sender", email="sam@example.com", message="Do you bill insurers?")
    failed = Notification(key="failed", kind="manage_links", recipient="sam@example.com", status="failed",
                          due_at=NOW - timedelta(hours=1), attempts=5, last_error="550 mailbox unavailable")
    db.session.add_all([message, failed])
    db.session.commit()
    ask_for_plan(clinic.screenings["combined"].id)
    html = page(admin)
    failures = section(html, "Notifications that failed")
    assert f"Manage links (number {failed.id})" in failures and "550 mailbox unavailable" in failures
    assert 'href="/admin/notifications"' in failures
    plans = section(html, "Needs a care plan")
    assert f'href="/admin/care-plans/new/{clinic.screenings["combined"].id}"' in plans and "asked for a plan" in plans
    messages = section(html, "Messages not handled")
    assert f'href="/admin/inbox/{message.id}">From Sam Sender</a>' in messages
    assert "insurers" not in messages  # what a message says is read on its page
    late_ones = section(html, "Cancelled late or missed")
    assert "Since Wed Nov 25: visits cancelled less than 24 hours before they began, and no-shows." in late_ones
    assert late_ones.index("Lee Late") < late_ones.index("Noel Noshow")  # the latest first
    assert f'href="/admin/appointments/{late.id}"' in late_ones and f'href="/admin/appointments/{missed.id}"' in late_ones
    assert "<strong>Cancelled</strong> Nov 30, 6:00 p.m." in late_ones and "<strong>No-show</strong>" in late_ones
    assert "Ina Intime" not in html


def test_an_empty_day_says_so(admin: FlaskClient) -> None:
    html = page(admin)
    assert "No visits today." in html
    for empty in ("None: every notification due was sent.", "No screening is waiting for a care plan.",
                  "None: every message is handled."):
        assert empty in html


def test_patients_are_named_but_their_screening_is_not_shown_nor_read(admin: FlaskClient) -> None:
    visit_of("Casey Caution", local(2026, 12, 2, 13), caution=True)
    audited = db.session.scalar(select(func.count()).select_from(AuditEvent))
    html = page(admin)
    assert "Casey Caution" in html and CAUTION_TEXT not in html and "anticoagulants" not in html.lower()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audited
    with counted_queries() as sent:
        page(admin)
    assert not [statement for statement in sent if "screenings.answers" in statement]


def test_the_page_sends_the_same_statements_for_one_visit_or_many(admin: FlaskClient) -> None:
    visit_of("First Patient", local(2026, 12, 2, 8))

    def statements() -> int:
        page(admin)  # after the test's own writes, the signed-in admin and the settings are read again once
        with counted_queries() as sent:
            page(admin)
        return len(sent)

    few = statements()
    for hour in range(9, 17):
        visit_of(f"Patient {hour}", local(2026, 12, 2, hour), checked_in_at=NOW if hour < 11 else None)
    assert statements() == few
