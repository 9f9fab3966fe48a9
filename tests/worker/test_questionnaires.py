"""The questions before a visit, emailed by a real worker on a moved clock at the clinic's time, once."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from booking.models import NotificationStatus
from tests.factories import Clinic
from tests.notifications.conftest import notifications
from tests.worker.journeys import PATIENT, book, book_then_move, by_message_id, text_of, visit_at
from tests.worker.processes import Launcher, Process, Stack, eventually
from tests.worker.test_journeys import reminders_on_a_moved_clock

QUESTIONS = "A few questions"
ONE_MINUTE = timedelta(minutes=1)


def test_the_questions_arrive_once_at_the_set_time_with_a_link_that_opens_them(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher) -> None:
    starts_at = visit_at(days=3, hour=10)  # a physiotherapy assessment: it has questions
    book(client, clinic, starts_at)
    eventually(lambda: stack.smtp.sink.to(PATIENT), 30, "the confirmation")
    evening_before = visit_at(days=2, hour=18)
    early = reminders_on_a_moved_clock(app, launch, stack, evening_before - ONE_MINUTE, expected=0, subject=QUESTIONS)
    assert early == []
    [email] = reminders_on_a_moved_clock(app, launch, stack, evening_before + ONE_MINUTE, expected=1,
                                         subject=QUESTIONS)
    again = reminders_on_a_moved_clock(app, launch, stack, starts_at - ONE_MINUTE, expected=1, subject=QUESTIONS)
    assert [m["Message-ID"] for m in again] == [email["Message-ID"]]
    assert set(by_message_id(stack.smtp.sink).values()) == {1}
    [path] = re.findall(r"http://localhost(/q/[\w-]+)", text_of(email))
    page = client.get(path)
    assert page.status_code == 200 and "How bad is your pain right now?" in page.get_data(as_text=True)
    [row] = notifications(kind="questionnaire")
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert PATIENT not in worker.output()


def test_a_moved_visits_questions_come_the_evening_before_its_new_day_only(
        app: Flask, client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process, launch: Launcher) -> None:
    book_then_move(client, clinic, stack.smtp.sink, visit_at(days=3, hour=10), visit_at(days=5, hour=10))
    assert reminders_on_a_moved_clock(app, launch, stack, visit_at(days=2, hour=18) + ONE_MINUTE, expected=0,
                                      subject=QUESTIONS) == []
    [email] = reminders_on_a_moved_clock(app, launch, stack, visit_at(days=4, hour=18) + ONE_MINUTE, expected=1,
                                         subject=QUESTIONS)
    assert "/q/" in text_of(email)
    assert sorted(row.status for row in notifications(kind="questionnaire")) == [
        NotificationStatus.SENT, NotificationStatus.SKIPPED]
