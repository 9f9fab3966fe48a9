"""The nightly tidy as the scheduler starts it: the task ``privacy.tidy``, by name, run by a real worker."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import ContactMessage
from tests.worker.processes import Process, eventually


def test_the_task_removes_a_message_past_its_year_and_keeps_a_recent_one(app: Flask, worker: Process) -> None:
    old = ContactMessage(name="Sam Lee", email="sam@example.com", message="Do you direct bill?",
                         created_at=moment() - timedelta(days=366))
    recent = ContactMessage(name="Kai Roy", email="kai@example.com", message="Is there parking?")
    db.session.add_all([old, recent])
    db.session.commit()
    kept = recent.id

    def stored() -> list[int]:
        db.session.rollback()
        return list(db.session.scalars(select(ContactMessage.id)))

    app.extensions["celery"].send_task("privacy.tidy")
    eventually(lambda: stored() == [kept], 30, "the year-old message removed by the worker")
