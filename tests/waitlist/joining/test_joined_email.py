"""The "you are on the waitlist" email, sent through a real SMTP server: the place and its link, no health words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking.models import TherapistQualification
from tests.factories import Clinic, ScreeningFactory, TherapistFactory
from tests.notifications.conftest import deliver_due
from tests.smtp import SmtpServer
from tests.waitlist.joining.conftest import join

PREGNANT = {"concerns": ["relaxation", "chronic_pain"], "precautions": ["pregnancy"]}
HEALTH_WORDS = ("pregnan", "prenatal", "chronic", "pain", "relaxation", "screening answers", "caution", "recommend")


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server the app sends to."""
    with SmtpServer() as server:
        app.config.update(server.settings())
        yield server


def test_the_email_gives_the_place_and_its_link_and_no_health_words(client: FlaskClient, clinic: Clinic,
                                                                   now: datetime, smtp: SmtpServer) -> None:
    nadia = TherapistFactory(name="Nadia Brooks", therapy_type="massage",
                             trained=[TherapistQualification(code="prenatal_massage")])
    screening = ScreeningFactory(answers=PREGNANT)
    answer = join(client, screening.id, clinic.massage.code, therapist=str(nadia.id))
    token = answer.location.rsplit("/", 1)[-1]
    deliver_due()
    (mail,) = smtp.sink.to("avery@example.com")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"/waitlist/{token}" in text and f"/waitlist/{token}" in html
    assert "Nadia Brooks" in text
    for body in (text.lower(), html.lower(), mail["Subject"].lower()):
        assert [word for word in HEALTH_WORDS if word in body] == []
