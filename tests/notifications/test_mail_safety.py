"""Mail that cannot leak or stall: private mail files, replies to the sender, messages that cannot be made."""

from __future__ import annotations

import stat
from pathlib import Path

import time_machine
from flask import Flask

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import ClinicSettings, Notification, NotificationStatus
from booking.notifications import delivery
from booking.services.contact import save_message
from tests.factories import Clinic
from tests.notifications.conftest import book_visit, deliver_due, notifications
from tests.smtp import SmtpServer


def test_mail_files_and_their_folder_are_readable_by_the_app_only(app: Flask, clinic: Clinic) -> None:
    book_visit(clinic)
    deliver_due()
    folder = Path(app.instance_path) / "mail"
    files = list(folder.glob("*.eml"))
    assert files
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


def test_replying_to_a_contact_message_answers_its_sender(app: Flask, clinic: Clinic, smtp: SmtpServer) -> None:
    save_message(name="Sam Lee", email="Sam@Example.com", phone=None, message="Do you direct bill?")
    deliver_due()
    [mail] = smtp.sink.to(app.config["CLINIC_EMAIL"])
    assert mail["Reply-To"].addresses[0].addr_spec == "sam@example.com"
    assert mail["Reply-To"].addresses[0].display_name == "Sam Lee"


def test_a_line_break_in_the_clinic_name_fails_the_notification_at_once(clinic: Clinic, smtp: SmtpServer) -> None:
    db.session.get(ClinicSettings, 1).name = "Bow River\nBcc: everyone@example.com"  # stored by an older version
    db.session.commit()
    book_visit(clinic)
    assert sorted(deliver_due()) == [NotificationStatus.FAILED] * 2
    for failed in notifications(kind="confirmation") + notifications(kind="therapist_booked"):
        assert (failed.status, failed.claimed_until) == (NotificationStatus.FAILED, None)
        assert failed.last_error == "the message could not be made (ValueError)"
    assert smtp.sink.messages == []


def test_a_message_its_template_cannot_make_fails_at_once_without_its_details(clinic: Clinic,
                                                                             smtp: SmtpServer) -> None:
    plan_notice = Notification(kind="care_plan", key="care-plan:1:from-a-newer-version:1:1", due_at=moment(),
                               status=NotificationStatus.PENDING, event="from_a_newer_version",
                               care_plan_id=None, therapist_id=clinic.physiotherapists[0].id)
    db.session.add(plan_notice)
    db.session.commit()
    assert delivery.deliver(plan_notice.id) == NotificationStatus.FAILED
    [failed] = notifications(kind="care_plan")
    assert (failed.status, failed.attempts, failed.last_error) == (
        NotificationStatus.FAILED, 1, "the message could not be made (KeyError)")
    assert smtp.sink.messages == []


def test_a_claim_that_runs_out_after_the_last_attempt_fails_the_notification(
        app: Flask, clinic: Clinic, smtp: SmtpServer, clock: time_machine.Coordinates) -> None:
    app.config["NOTIFY_MAX_ATTEMPTS"] = 1
    book_visit(clinic)
    [confirmation] = notifications(kind="confirmation")
    assert delivery.claim(confirmation.id, moment()) is not None  # the worker is killed here
    clock.shift(app.config["NOTIFY_LEASE_SECONDS"] + 1)
    assert delivery.deliver(confirmation.id) == "not claimed"
    [failed] = notifications(kind="confirmation")
    assert (failed.status, failed.last_error) == (NotificationStatus.FAILED, delivery.UNFINISHED)
    assert smtp.sink.to("alex@example.com") == []
