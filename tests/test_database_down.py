"""The database is down: pages that need it answer 503 with Retry-After and the phone number, never 500.

The app points at a PostgreSQL port where nothing listens (as the /healthz test does);
the machine's own PostgreSQL is never touched.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from booking import create_app
from tests.conftest import test_settings

NOWHERE = "postgresql://nobody@127.0.0.1:1/none"
PHONE = "+1 403-555-0142"
SOME_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def down() -> FlaskClient:
    """A client of an app whose database does not answer."""
    app: Flask = create_app(test_settings(NOWHERE))
    return app.test_client()


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", f"/book/{SOME_ID}", None),
    ("get", "/book/manage/some-token", None),
    ("post", "/", {"name": "Avery Singh", "email": "avery@example.com", "message": "Do you open on Sundays?"}),
])
def test_pages_answer_503_with_retry_after_and_the_phone_number(
        down: FlaskClient, method: str, path: str, data: dict[str, str] | None) -> None:
    response = getattr(down, method)(path, data=data)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Our booking system is not available just now" in page and PHONE in page


@pytest.mark.parametrize(("method", "path", "json"), [
    ("get", "/api/v1/services", None),
    ("get", "/api/v1/slots?service=physio-60&from=2026-12-01&to=2026-12-02", None),
    ("post", "/api/v1/screenings", {"concerns": ["relaxation"]}),
    ("get", f"/api/v1/appointments/{SOME_ID}", None),
])
def test_the_api_answers_503_as_json_with_retry_after_and_the_phone_number(
        down: FlaskClient, method: str, path: str, json: object) -> None:
    response = getattr(down, method)(path, json=json, headers={"Authorization": "Bearer x"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json == {"error": "Our booking system is not available just now. Please try again in a few "
                                      f"minutes, or call us at {PHONE}."}


def test_pages_that_need_no_database_still_work(down: FlaskClient) -> None:
    assert down.get("/").status_code == 200
    assert down.get("/api/v1/openapi.json").status_code == 200


def test_the_outage_is_logged_as_a_warning_without_the_path(down: FlaskClient,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    token = uuid.uuid4().hex
    with caplog.at_level(logging.WARNING, logger="booking.errors"):
        down.get(f"/book/manage/{token}")
    assert [record.levelname for record in caplog.records if record.name == "booking.errors"] == ["WARNING"]
    assert "database unavailable" in caplog.text and token not in caplog.text
