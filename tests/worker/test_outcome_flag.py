"""A care plan flagged by its patient's answers: a real worker tells both therapists once, and not again."""

from __future__ import annotations

from flask import Flask

from booking.models import NotificationStatus
from tests.factories import Clinic
from tests.notifications.conftest import notifications
from tests.notifications.test_delivery import HEALTH_WORDS
from tests.questionnaires.conftest import plan_visits
from tests.questionnaires.test_flag import FIRST, FLAGGED, SAME, answer_before
from tests.worker.journeys import by_message_id, relay, text_of, visit_at
from tests.worker.processes import Process, Stack, eventually

SUBJECT = "The plan was flagged for a look together"


def test_both_therapists_hear_of_the_flag_once_and_not_again_on_the_next_answer(
        app: Flask, clinic: Clinic, stack: Stack, worker: Process) -> None:
    visits = plan_visits(clinic, *(visit_at(days=1 + 7 * week, hour=10) for week in range(6)))
    therapists = [clinic.physiotherapists[0].email, clinic.massage_therapists[0].email]

    def told() -> list[str]:
        return sorted(mail["To"] for mail in list(stack.smtp.sink.messages) if SUBJECT in mail["Subject"])

    for visit, typed in zip(visits, [FIRST, SAME, SAME, SAME], strict=False):
        answer_before(visit, typed, None)
    assert told() == [] and notifications(event=FLAGGED) == []
    answer_before(visits[4], SAME, None)  # after 4 sessions without a meaningful change
    eventually(lambda: told() == sorted(therapists), 30, "both therapists told of the flag")
    answer_before(visits[5], SAME, None)  # still flagged
    relay(app, 2)
    eventually(lambda: all(row.status == NotificationStatus.SENT for row in notifications(event=FLAGGED)), 30,
               "the notices marked sent")
    assert len(notifications(event=FLAGGED)) == 2 and told() == sorted(therapists)
    assert set(by_message_id(stack.smtp.sink).values()) == {1}
    for mail in stack.smtp.sink.messages:
        if SUBJECT in mail["Subject"]:
            assert f"/staff/care-plans/{visits[0].care_plan_id}" in text_of(mail)
            body = mail.as_string().lower()
            assert not [word for word in (*HEALTH_WORDS, "worse", "nprs", "meaningful") if word in body]
