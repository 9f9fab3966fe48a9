"""Delivering notifications to a real SMTP server: the messages, the re-checks, retries and failures."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import icalendar
import pytest
import time_machine
from flask import Flask

from booking import outbox
from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import NotificationStatus
from booking.notifications import delivery
from booking.notifications.channels import FolderChannel, Outgoing
from booking.services.contact import save_message
from booking.services.visits import cancel, manage_token, reschedule
from tests.factories import CLINIC_ZONE, Clinic
from tests.notifications.conftest import ALEX, TEN, book_visit, deliver_due, notifications
from tests.smtp import SmtpServer

HEALTH_WORDS = ("chronic", "pain", "pregnan", "blood", "thinner", "surgery", "screening")


def calendar_of(message: object) -> icalendar.Calendar:
    """The calendar file attached to an email."""
    part = next(part for part in message.iter_attachments() if part.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_content())


def test_the_confirmation_arrives_with_a_calendar_file_in_local_time(clinic: Clinic, smtp: SmtpServer) -> None:
    visit = book_visit(clinic)
    assert sorted(deliver_due()) == ["sent", "sent"]
    [mail] = smtp.sink.to("alex@example.com")
    text = mail.get_body(("plain",)).get_content()
    assert "Wednesday December 2, 2026" in text and "MST" in text
    assert f"http://localhost/book/manage/{manage_token(visit)}" in text
    assert "403-555-0142" in text
    calendar = calendar_of(mail)
    event = calendar.walk("VEVENT")[0]
    assert (calendar["METHOD"], event["SEQUENCE"]) == ("REQUEST", 0)
    assert event.decoded("DTSTART").astimezone(CLINIC_ZONE) == TEN
    body = mail.as_string().lower()
    assert not [word for word in HEALTH_WORDS if word in body]
    [therapist_mail] = smtp.sink.to(visit.therapist.email)
    assert "A. M." in therapist_mail.get_body(("plain",)).get_content()
    assert "Alex" not in therapist_mail.as_string()


def test_a_notification_is_sent_once_however_often_it_is_delivered(clinic: Clinic, smtp: SmtpServer) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    assert delivery.deliver(confirmation.id) == "sent"
    assert delivery.deliver(confirmation.id) == "not claimed"
    assert len(smtp.sink.to("alex@example.com")) == 1


def test_each_reminder_arrives_once_when_its_time_comes(clinic: Clinic, smtp: SmtpServer,
                                                       clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    deliver_due()
    clock.move_to(TEN - timedelta(hours=24))
    assert deliver_due() == ["sent"]
    assert deliver_due() == []
    clock.move_to(TEN - timedelta(hours=2))
    assert deliver_due() == ["sent", "sent"]  # and the questions before the visit, due the evening before
    reminders = [m for m in smtp.sink.to("alex@example.com") if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 2


def test_a_cancelled_visit_gets_its_cancellation_and_no_reminder(clinic: Clinic, smtp: SmtpServer,
                                                                clock: time_machine.Coordinates) -> None:
    visit = book_visit(clinic)
    cancel(visit)
    clock.move_to(TEN - timedelta(hours=1))
    deliver_due()
    subjects = sorted(m["Subject"].split(" – ")[0] for m in smtp.sink.to("alex@example.com"))
    assert subjects == ["Your visit is cancelled"]
    cancellation = smtp.sink.to("alex@example.com")[0]
    calendar = calendar_of(cancellation)
    assert (calendar["METHOD"], calendar.walk("VEVENT")[0]["SEQUENCE"]) == ("CANCEL", 1)


def test_a_reminder_claimed_before_a_cancellation_is_not_sent(clinic: Clinic, smtp: SmtpServer,
                                                             clock: time_machine.Coordinates) -> None:
    visit = book_visit(clinic)
    clock.move_to(TEN - timedelta(hours=2))
    reminder = notifications(kind="reminder", offset_minutes=120)[0]
    visit.status = "cancelled"  # as if cancelled by staff, with no notices written
    db.session.commit()
    assert delivery.deliver(reminder.id) == NotificationStatus.SKIPPED
    assert smtp.sink.to("alex@example.com") == []


def test_a_rescheduled_visit_is_reminded_at_its_new_time_only(clinic: Clinic, smtp: SmtpServer,
                                                             clock: time_machine.Coordinates) -> None:
    visit = book_visit(clinic)
    reschedule(visit, TEN + timedelta(days=1))
    deliver_due()
    [notice] = smtp.sink.to("alex@example.com")
    assert notice["Subject"].startswith("Your visit has moved")
    assert calendar_of(notice).walk("VEVENT")[0]["SEQUENCE"] == 1
    clock.move_to(TEN - timedelta(hours=1))
    assert deliver_due() == []
    clock.move_to(TEN + timedelta(days=1, hours=-24))
    assert deliver_due() == ["sent"]  # the new time's reminder a day before
    clock.move_to(TEN + timedelta(days=1, hours=-2))
    assert deliver_due() == ["sent", "sent"]  # and two hours before (with the questions, due the evening before)


def test_after_an_outage_only_the_nearest_due_reminder_is_sent(clinic: Clinic, smtp: SmtpServer,
                                                              clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    deliver_due()
    clock.move_to(TEN - timedelta(hours=1))  # no worker ran since the day before
    assert sorted(deliver_due()) == ["sent", "sent", "skipped"]  # the nearest reminder and the questions
    [reminder] = [m for m in smtp.sink.to("alex@example.com") if m["Subject"].startswith("Reminder")]
    assert notifications(kind="reminder", offset_minutes=1440)[0].last_error == "a nearer reminder of the visit is due"


def test_a_transient_refusal_is_retried_after_a_backoff(clinic: Clinic, smtp: SmtpServer,
                                                       clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    smtp.sink.refuse("421 Service not available, try again later")
    assert delivery.deliver(confirmation.id) == NotificationStatus.PENDING
    again = notifications(kind="confirmation")[0]
    assert (again.attempts, again.last_error) == (1, "SMTP 421 for the recipient")
    assert timedelta(seconds=15) <= again.due_at - moment() <= timedelta(seconds=45)
    assert delivery.deliver(confirmation.id) == "not claimed"  # not due yet
    clock.move_to(again.due_at)
    assert delivery.deliver(confirmation.id) == NotificationStatus.SENT
    assert len(smtp.sink.to("alex@example.com")) == 1


def test_a_mail_server_that_does_not_answer_is_transient(app: Flask, clinic: Clinic) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=SmtpServer().port)  # nobody listens there
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    assert delivery.deliver(confirmation.id) == NotificationStatus.PENDING
    assert "not reachable" in notifications(kind="confirmation")[0].last_error


def test_a_permanent_refusal_fails_at_once(clinic: Clinic, smtp: SmtpServer) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    smtp.sink.refuse("550 No such user here")
    assert delivery.deliver(confirmation.id) == NotificationStatus.FAILED
    failed = notifications(kind="confirmation")[0]
    assert (failed.attempts, failed.last_error) == (1, "SMTP 550 for the recipient")


def test_the_last_attempt_marks_the_notification_failed(app: Flask, clinic: Clinic, smtp: SmtpServer,
                                                       clock: time_machine.Coordinates) -> None:
    app.config["NOTIFY_MAX_ATTEMPTS"] = 2
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    smtp.sink.refuse("451 Try later", "451 Try later")
    assert delivery.deliver(confirmation.id) == NotificationStatus.PENDING
    clock.move_to(notifications(kind="confirmation")[0].due_at)
    assert delivery.deliver(confirmation.id) == NotificationStatus.FAILED


def test_a_claim_left_by_a_dead_worker_is_taken_after_its_lease_with_the_same_message_id(
        app: Flask, clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    assert delivery.claim(confirmation.id, moment()) is not None  # the worker dies here
    assert delivery.deliver(confirmation.id) == "not claimed"
    clock.shift(app.config["NOTIFY_LEASE_SECONDS"] + 1)
    assert delivery.deliver(confirmation.id) == NotificationStatus.SENT
    [mail] = smtp.sink.to("alex@example.com")
    assert mail["Message-ID"] == delivery.messages.message_id(confirmation)


def test_without_a_mail_server_messages_are_written_to_the_mail_folder(app: Flask, clinic: Clinic,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    book_visit(clinic)
    deliver_due()
    files = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    confirmation = notifications(kind="confirmation")[0]
    name = delivery.messages.message_id(confirmation).strip("<>").split("@")[0] + ".eml"
    assert name in [path.name for path in files]
    assert any(name in record.getMessage() for record in caplog.records)


def test_a_reader_of_the_mail_folder_never_sees_a_half_written_message(tmp_path: Path) -> None:
    channel = FolderChannel(tmp_path, "clinic@example.com")
    message = Outgoing(to="alex@example.com", subject="Your visit is booked", text="x" * 2_000_000, html="",
                       message_id="<same@example.com>")
    seen: list[str | None] = []
    writing = threading.Event()

    def read_while_written() -> None:
        while not writing.is_set() or not seen:
            for path in tmp_path.glob("*.eml"):
                seen.append(message_from_bytes(path.read_bytes(), policy=policy.default)["To"])

    reader = threading.Thread(target=read_while_written)
    reader.start()
    for _ in range(20):
        channel.send(message)
    writing.set()
    reader.join()
    assert set(seen) == {"alex@example.com"}
    assert [path.name for path in tmp_path.iterdir()] == ["same.eml"]


def test_the_contact_message_goes_to_the_clinic(app: Flask, clinic: Clinic, smtp: SmtpServer) -> None:
    save_message(name="Sam Lee", email="sam@example.com", phone=None, message="Do you direct bill?")
    deliver_due()
    [mail] = smtp.sink.to(app.config["CLINIC_EMAIL"])
    assert "Do you direct bill?" in mail.get_body(("plain",)).get_content()
    assert "sam@example.com" in mail.get_body(("plain",)).get_content()


def test_the_manage_links_email_lists_that_address_upcoming_visits_only(clinic: Clinic, smtp: SmtpServer) -> None:
    mine = book_visit(clinic)
    other = book_visit(clinic, TEN + timedelta(hours=2), patient=replace(ALEX, email="sam@example.com"))
    outbox.for_manage_links("alex@example.com", now=moment())
    outbox.for_manage_links("nobody@example.com", now=moment())
    db.session.commit()
    deliver_due()
    [links] = [m for m in smtp.sink.to("alex@example.com") if m["Subject"].startswith("Your upcoming")]
    text = links.get_body(("plain",)).get_content()
    assert manage_token(mine) in text and manage_token(other) not in text
    assert smtp.sink.to("nobody@example.com") == []
