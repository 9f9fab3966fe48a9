"""The questions' email: written with the visit, due at the clinic's time, no health words, a working link."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import ClinicSettings, NotificationStatus
from booking.services.visits import cancel, reschedule
from tests.factories import Clinic, local
from tests.notifications.conftest import deliver_due
from tests.notifications.test_courses import text_of
from tests.notifications.test_email_wording import html_of
from tests.questionnaires.conftest import TEN, book_visit, link, notifications, plan_visits
from tests.smtp import SmtpServer

# Words of health the questions' email never holds (the clinic's own name may say physiotherapy and massage).
HEALTH_WORDS = ("pain", "assessment", "activit", "injur", "symptom", "treatment", "condition")


def questions(smtp: SmtpServer) -> list:
    """The emails of questions accepted for the patient."""
    return [m for m in smtp.sink.to("alex@example.com") if m["Subject"].startswith("A few questions")]


def test_the_email_comes_the_evening_before_once_with_a_working_link_and_no_health_words(
        client: FlaskClient, clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    deliver_due()
    clock.move_to(local(2026, 12, 1, 17, 59))
    deliver_due()
    assert questions(smtp) == []
    clock.move_to(local(2026, 12, 1, 18))
    deliver_due()
    deliver_due()
    [email] = questions(smtp)
    body = text_of(email) + html_of(email)
    assert not [word for word in HEALTH_WORDS if word in (email["Subject"] + body).lower()]
    [url] = set(re.findall(r"http://localhost(/q/[\w-]+)", body))
    assert client.get(url).status_code == 200
    assert url == link(notifications(kind="questionnaire")[0].appointment)


def test_a_moved_visits_questions_follow_it_and_a_cancelled_ones_are_no_longer_owed(
        clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    moved, dropped = book_visit(clinic), book_visit(clinic, TEN + timedelta(hours=2))
    reschedule(moved, TEN + timedelta(days=1))
    cancel(dropped)
    clock.move_to(local(2026, 12, 1, 18))
    deliver_due()
    assert questions(smtp) == []
    assert {n.status for n in notifications(kind="questionnaire", version=0)} == {NotificationStatus.SKIPPED}
    clock.move_to(local(2026, 12, 2, 18))
    deliver_due()
    assert len(questions(smtp)) == 1


def test_questions_answered_in_the_waiting_room_first_are_not_emailed(
        client: FlaskClient, clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    visit = book_visit(clinic)
    client.post(link(visit), data={"nprs": "2", "activity_1": "Walking", "rating_1": "5"})
    clock.move_to(local(2026, 12, 1, 18))
    deliver_due()
    assert questions(smtp) == []
    assert notifications(kind="questionnaire")[0].last_error == "the questions were answered"


def test_the_clinic_sets_the_time_and_only_a_plans_visits_and_assessments_are_asked(
        clinic: Clinic, clock: time_machine.Coordinates) -> None:
    db.session.scalars(select(ClinicSettings)).one().questionnaire_time = "07:30"
    db.session.commit()
    book_visit(clinic)
    book_visit(clinic, TEN, kind="massage")
    plan_visits(clinic, TEN + timedelta(days=3))  # made without the booking service: no rows
    [row] = notifications(kind="questionnaire")
    assert row.due_at == local(2026, 12, 1, 7, 30) and row.appointment.service == clinic.physio
