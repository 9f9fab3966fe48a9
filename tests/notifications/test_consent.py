"""A kind of message that is not transactional goes only to a patient with a live consent of its purpose."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import count

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Appointment, Notification, NotificationStatus
from booking.notifications import delivery
from booking.notifications.kinds import KINDS, About, KindEntry, Purpose, Recipient
from booking.services.privacy import consent
from tests.factories import Clinic, StaffUserFactory
from tests.notifications.conftest import ALEX, book_visit, notifications
from tests.smtp import SmtpServer

NEWS = "clinic_news"  # a kind made for this test: the clinic's news, sent to a visit's patient
_keys = count(1)


@pytest.fixture(autouse=True)
def news_kind(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's kind in the registry, with its two templates."""
    monkeypatch.setitem(KINDS, NEWS, KindEntry(About.VISIT, Recipient.PATIENT, "News from the clinic",
                                               consent=Purpose.NEWS))
    templates = DictLoader({f"email/{NEWS}.txt": "Our new evening hours.",
                            f"email/{NEWS}.html": "<p>Our new evening hours.</p>"})
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([templates, app.jinja_env.loader]))


def send_news(visit: Appointment) -> str:
    """Write a news notification about the visit's patient and deliver it now; the outcome."""
    notification = Notification(key=f"{NEWS}:{next(_keys)}", kind=NEWS, appointment_id=visit.id,
                                version=visit.sequence, due_at=moment())
    db.session.add(notification)
    db.session.commit()
    return delivery.deliver(notification.id)


def news_received(smtp: SmtpServer) -> int:
    """How many news emails Alex received."""
    return sum(mail["Subject"].startswith("News from the clinic") for mail in smtp.sink.to(ALEX.email))


def test_news_goes_only_while_the_patient_has_a_live_consent(clinic: Clinic, smtp: SmtpServer) -> None:
    visit = book_visit(clinic)
    admin = StaffUserFactory(admin=True)

    assert send_news(visit) == NotificationStatus.SKIPPED
    [skipped] = notifications(kind=NEWS)
    assert skipped.last_error == "no consent" and news_received(smtp) == 0

    given = consent.record(visit.patient, Purpose.NEWS, Purpose.NEWS.wording, "in person", moment().date(), admin)
    assert send_news(visit) == NotificationStatus.SENT and news_received(smtp) == 1

    consent.withdraw(given, admin)
    assert send_news(visit) == NotificationStatus.SKIPPED and news_received(smtp) == 1


def test_a_consent_to_another_purpose_or_of_another_patient_is_no_consent(clinic: Clinic, smtp: SmtpServer) -> None:
    visit = book_visit(clinic)
    other = book_visit(clinic, visit.starts_at + timedelta(days=1), patient=replace(ALEX, email="sam@example.com"))
    admin = StaffUserFactory(admin=True)
    consent.record(visit.patient, "surveys", "I agree to answer surveys.", "phone", moment().date(), admin)
    consent.record(other.patient, Purpose.NEWS, Purpose.NEWS.wording, "in writing", moment().date(), admin)
    assert send_news(visit) == NotificationStatus.SKIPPED and news_received(smtp) == 0
    assert send_news(other) == NotificationStatus.SENT
