"""A small clinic on the appointments tests' frozen clock, and a helper that joins the list through the page."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.appointments.conftest import clinic as clinic
from tests.appointments.conftest import now as now

PATIENT = {"name": "Avery Singh", "email": "avery@example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
WHEN = {"days": ["0", "2"], "parts": ["morning", "evening"], "until": "2026-11-30", "therapist": "anyone"}


def join(client: FlaskClient, screening_id: object, service: str, **changes: object) -> TestResponse:
    """POST the join form with the usual answers, changed by ``changes`` (None leaves a field out)."""
    data = {"service": service, **WHEN, **PATIENT, **changes}
    return client.post(f"/book/{screening_id}/waitlist",
                       data={key: value for key, value in data.items() if value is not None})
