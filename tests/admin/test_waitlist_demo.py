"""The demo's waitlist: a care plan's session, a pair and two single visits waiting, and the last week's freed times,
some filled from the list and some not, so that the admins' figure shows at once; seeded once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from booking.cli.demo import DEMO_ADMIN_EMAIL
from booking.extensions import db
from booking.models import Appointment, StaffUser, WaitlistEntry
from booking.models.waitlist import EntryStatus, OfferStatus, WaitlistOffer, WaitlistOpening
from booking.services.waitlist import overview
from tests.factories import local

NOW = local(2026, 11, 30, 8)  # a Monday morning


@pytest.fixture
def runner(app: Flask) -> Iterator[FlaskCliRunner]:
    """A CLI runner, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield app.test_cli_runner()


def test_the_demo_has_patients_waiting_and_a_week_of_freed_times(runner: FlaskCliRunner) -> None:
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "The waitlist: 4 waiting; of the last week's freed times, 3 filled from it and 2 not filled." \
        in seeded.output
    admin = db.session.scalars(select(StaffUser).where(StaffUser.email == DEMO_ADMIN_EMAIL)).one()

    rows = overview.waiting(admin)
    assert [row.entry.patient.name for row in rows] == [
        "Casey Nguyen", "Tomasz Zielinski", "Priyanka Dhaliwal", "Marguerite Lapointe"]
    plan, single, pair, caller = (row.entry for row in rows)
    assert plan.care_plan_id is not None and plan.joined_by_id == admin.id
    assert (pair.service.code, pair.pair_service and pair.pair_service.code) == ("massage-60", "physio-initial")
    assert single.pair_service is None and single.therapist is None
    assert caller.patient.email is None and caller.therapist is not None and caller.joined_by_id == admin.id

    rate = overview.fill_rate(now=NOW)
    assert (rate.openings, rate.filled, rate.unfilled, rate.taken, rate.still_open) == (5, 3, 2, 0, 0)
    assert rate.median_to_claim is not None and 10 <= rate.median_to_claim.total_seconds() / 60 <= 30
    for story in overview.openings(admin, now=NOW):
        claimed = story.claimed
        if claimed is None:
            continue  # not filled: its offer expired, or nobody fitted
        visit = db.session.get_one(Appointment, claimed.appointment_id)
        assert (visit.therapist_id, visit.starts_at, visit.ends_at) == (
            story.opening.therapist_id, story.opening.starts_at, story.opening.ends_at)
        assert claimed.entry.status == EntryStatus.BOOKED and claimed.entry.patient_id == visit.patient_id
        assert claimed.answered_at is not None and claimed.offered_at < claimed.answered_at <= claimed.expires_at
    expired = db.session.scalars(select(WaitlistOffer).where(WaitlistOffer.status == OfferStatus.EXPIRED)).all()
    assert expired and all(offer.entry.joined_at < offer.offered_at < (offer.entry.ended_at or NOW) for offer in expired)


def test_seeding_again_keeps_the_waitlist(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    again = runner.invoke(args=["seed-demo"])
    assert "The waitlist: already there." in again.output
    assert db.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 7  # 4 waiting, 3 booked
    assert db.session.scalar(select(func.count()).select_from(WaitlistOpening)) == 5
