"""Collaborative-care notices: each therapist of a plan hears what happened, with a link to the plan, no health detail."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from booking.models import StaffUser
from booking.services.care_plans.notes import HANDOFF, write_note
from booking.services.visits.outcomes import record_outcome
from tests.factories import Clinic, StaffUserFactory
from tests.notifications.conftest import deliver_due
from tests.notifications.test_courses import book_plan, text_of
from tests.notifications.test_delivery import HEALTH_WORDS
from tests.smtp import SmtpServer

NOTE = "Hamstrings very tight today; went lighter on the left knee"


def test_each_therapist_hears_of_the_plan_with_its_link_and_their_colleague(clinic: Clinic,
                                                                           smtp: SmtpServer) -> None:
    visits = [each.appointment for each in book_plan(clinic)]
    deliver_due()
    physiotherapist, massage_therapist = clinic.physiotherapists[0], clinic.massage_therapists[0]
    for therapist, colleague in ((physiotherapist, massage_therapist), (massage_therapist, physiotherapist)):
        [mail] = smtp.sink.to(therapist.email)
        text = " ".join(text_of(mail).split())
        assert f"On care plan {visits[0].care_plan_id} (A. M.), which you share with {colleague.name}, " \
               "a care plan was created." in text
        assert f"http://localhost/staff/care-plans/{visits[0].care_plan_id}" in text
        body = mail.as_string().lower()
        assert "limp" not in body and not [word for word in HEALTH_WORDS if word in body]


def test_a_handoff_note_and_a_completed_session_are_told_without_the_note(
        clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    massage, physio = [each.appointment for each in book_plan(clinic)][:2]
    deliver_due()
    smtp.sink.messages.clear()
    writer: StaffUser = StaffUserFactory(therapist=clinic.massage_therapists[0])
    clock.move_to(physio.ends_at + timedelta(minutes=5))
    record_outcome(massage, "completed", by_staff=writer)
    write_note(massage, writer, NOTE, kind=HANDOFF)
    deliver_due()
    to_physio = sorted(" ".join(text_of(mail).split()) for mail in smtp.sink.to(clinic.physiotherapists[0].email))
    assert [text.split(", which you share with")[1].split(".")[0] for text in to_physio] == sorted(
        [f" {clinic.massage_therapists[0].name}, a handoff note was added",
         f" {clinic.massage_therapists[0].name}, a session was completed"])
    [to_massage] = smtp.sink.to(clinic.massage_therapists[0].email)  # the writer hears of the session only
    assert "a session was completed" in text_of(to_massage)
    assert not any("hamstring" in mail.as_string().lower() for mail in smtp.sink.messages)
