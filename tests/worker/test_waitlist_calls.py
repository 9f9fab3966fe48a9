"""A freed time offered by a real worker to a caller without email: nothing is emailed, the desk sees the call, and
its "no answer" hands the time to the worker at once (no beat runs here), which emails the next on the list."""

from __future__ import annotations

import time
from datetime import timedelta

from flask.testing import FlaskClient

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import StaffUser
from booking.services.waitlist import calls
from booking.services.waitlist.calls import Call
from tests.factories import Clinic, PatientFactory, StaffUserFactory
from tests.waitlist.waiting import waiting
from tests.worker.journeys import book, change, visit_at
from tests.worker.processes import Process, Stack, eventually
from tests.worker.test_waitlist_offers import offers_to


def calls_now(admin: StaffUser) -> list[Call]:
    """The calls to make, as stored now."""
    db.session.rollback()
    return calls.to_call(admin)


def test_a_call_nobody_answers_goes_to_the_next_on_the_list_at_once(
        client: FlaskClient, clinic: Clinic, stack: Stack, worker: Process) -> None:
    caller = waiting(clinic, moment() - timedelta(days=2), patient=PatientFactory(email=None))
    emailed = waiting(clinic, moment() - timedelta(days=1))
    admin = StaffUserFactory(admin=True)
    db.session.commit()
    change(client, book(client, clinic, visit_at(days=3, hour=10), kind="massage"), "cancel")
    [call] = eventually(lambda: calls_now(admin), 30, "the call to make")  # type: ignore[misc]
    assert call.offer.entry_id == caller.id
    time.sleep(1)
    assert offers_to(stack.smtp.sink, emailed) == []  # held for the caller meanwhile
    assert calls.not_wanted(call, by_staff=admin) is None
    eventually(lambda: offers_to(stack.smtp.sink, emailed), 10, "the offer passed on to the next, without the beat")
    assert calls_now(admin) == []
