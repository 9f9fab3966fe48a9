"""The privacy notice says what the product does, with the clinic's own periods from its settings."""

from __future__ import annotations

from flask import Flask

from booking.clinic import cache
from booking.extensions import db
from booking.models import ClinicSettings
from tests.factories import small_clinic


def test_the_privacy_notice_gives_the_clinics_own_periods(app: Flask) -> None:
    small_clinic()
    settings = db.session.get(ClinicSettings, 1)
    settings.retention_years, settings.unbooked_screening_days, settings.contact_message_days = 12, 60, 180
    settings.link_days_after_visit, settings.request_days = 14, 21
    db.session.commit()
    cache.forget()
    page = app.test_client().get("/book/privacy").text
    for promise in ("12 years after your last visit", "12 years after your 18th birthday",
                    "never led to a booking: 60 days", "contact form: 180 days", "stop working\n    14 days after",
                    "within 21 days", "Stop reminders", "Health Information Act", "Personal Information Protection Act"):
        assert promise in page, promise
