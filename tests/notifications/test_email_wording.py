"""What the emails say: the visit's time in the subject, the clinic's instructions, the cut-off, news not alarms."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from booking.extensions import db
from booking.models import ClinicSettings, StaffUser
from booking.services.visits import reschedule
from booking.services.visits.outcomes import record_outcome
from tests.factories import Clinic, StaffUserFactory
from tests.notifications.conftest import ALEX, NOW, TEN, book_visit, deliver_due
from tests.notifications.test_courses import book_pair, book_plan, text_of
from tests.smtp import SmtpServer

CLINIC = "Bow River Physiotherapy & Massage"
PHONE = "+1 403-555-0142"


def html_of(mail: object) -> str:
    """The HTML body of an email."""
    return mail.get_body(("html",)).get_content()


def test_subjects_carry_the_visits_day_and_time_in_the_clinics_zone(clinic: Clinic, smtp: SmtpServer) -> None:
    visit = book_visit(clinic)
    deliver_due()
    reschedule(visit, TEN + timedelta(days=1, hours=4, minutes=30))
    deliver_due()
    assert [mail["Subject"] for mail in smtp.sink.to(ALEX.email)] == [
        f"Your visit is booked – Wed 2 Dec at 10:00 a.m. – {CLINIC}",
        f"Your visit has moved – Thu 3 Dec at 2:30 p.m. – {CLINIC}"]
    assert smtp.sink.to(visit.therapist.email)[0]["Subject"] == f"New booking – Wed 2 Dec at 10:00 a.m. – {CLINIC}"


def test_a_courses_subject_gives_its_first_visit(clinic: Clinic, smtp: SmtpServer) -> None:
    book_pair(clinic)
    deliver_due()
    [mail] = smtp.sink.to(ALEX.email)
    assert mail["Subject"] == f"Your visits are booked – from Wed 2 Dec at 10:00 a.m. – {CLINIC}"


def test_the_confirmations_carry_the_clinics_instructions(clinic: Clinic, smtp: SmtpServer) -> None:
    db.session.get(ClinicSettings, 1).visit_instructions = "Arrive 15 minutes early.\nPark behind the building."
    db.session.commit()
    book_visit(clinic)
    book_pair(clinic)
    deliver_due()
    single, pair = smtp.sink.to(ALEX.email)
    for mail in (single, pair):
        lines = text_of(mail).splitlines()
        assert "- Arrive 15 minutes early." in lines and "- Park behind the building." in lines
        assert "<li>Park behind the building.</li>" in html_of(mail)


def test_a_visit_booked_inside_the_cut_off_is_confirmed_with_the_phone_not_a_move(clinic: Clinic,
                                                                                  smtp: SmtpServer) -> None:
    book_visit(clinic, NOW + timedelta(hours=5))  # the cut-off is 24 hours
    book_visit(clinic, TEN + timedelta(hours=2))  # two days away
    deliver_due()  # the first visit's questions are due at once too: the evening before has passed
    soon, later = [m for m in smtp.sink.to(ALEX.email) if not m["Subject"].startswith("A few questions")]
    for part in (text_of(soon), html_of(soon)):
        assert PHONE in part and "can no longer be moved or cancelled online" in part
        assert "move or cancel it" not in part and "move or cancel your visit" not in part
    assert "To see, move or cancel it (free until 24 hours before)" in text_of(later)


def test_the_reminders_inside_the_cut_off_say_to_call(clinic: Clinic, smtp: SmtpServer,
                                                      clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    deliver_due()
    for before in (timedelta(hours=24), timedelta(hours=2)):
        clock.move_to(TEN - before)
        deliver_due()
    reminders = [mail for mail in smtp.sink.to(ALEX.email) if mail["Subject"].startswith("Reminder")]
    assert len(reminders) == 2
    for mail in reminders:
        assert f"Can't make it? Please call us at {PHONE}" in text_of(mail)
        assert "move or cancel it:" not in text_of(mail) and "move or cancel your visit" not in html_of(mail)


def test_nobody_is_told_a_plan_needs_their_attention_about_their_own_action(
        clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    massage = book_plan(clinic)[0].appointment
    deliver_due()
    smtp.sink.messages.clear()
    writer: StaffUser = StaffUserFactory(therapist=clinic.massage_therapists[0])
    clock.move_to(massage.ends_at)
    record_outcome(massage, "completed", by_staff=writer)
    deliver_due()
    [own] = smtp.sink.to(writer.therapist.email)
    assert own["Subject"] == f"A session was completed (care plan {massage.care_plan_id}, A. M.) – {CLINIC}"
    assert not any("attention" in mail.as_string() for mail in smtp.sink.messages)
