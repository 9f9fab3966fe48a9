"""GET /api/v1/services, /therapists and /slots; rate limits of the anonymous API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from booking import create_app
from booking.extensions import db
from tests.conftest import TEST_REDIS_URL, test_settings
from tests.factories import Clinic, ServiceFactory, TherapistFactory, local, small_clinic

NOW = local(2026, 11, 30, 8)


@pytest.fixture
def clinic(app: Flask) -> Iterator[Clinic]:
    """A small clinic, with the clock at Monday 2026-11-30 08:00 in Calgary."""
    with time_machine.travel(NOW, tick=False):
        yield small_clinic()


def test_services_are_the_active_ones_by_type_then_duration(client: FlaskClient, clinic: Clinic) -> None:
    ServiceFactory(code="physio-30", name="Follow-up", duration_minutes=30, price_cents=8000)
    ServiceFactory(code="old", active=False)
    services = client.get("/api/v1/services").json["services"]
    assert [s["code"] for s in services] == ["physio-30", "physio-60", "massage-60"]
    assert services[0] == {"code": "physio-30", "name": "Follow-up", "therapy_type": "physiotherapy",
                           "duration_minutes": 30, "price_cents": 8000}


def test_therapists_of_one_type(client: FlaskClient, clinic: Clinic) -> None:
    TherapistFactory(therapy_type="massage", active=False)
    listed = client.get("/api/v1/therapists?therapy_type=massage").json["therapists"]
    assert [t["id"] for t in listed] == [t.id for t in clinic.massage_therapists]
    assert set(listed[0]) == {"id", "name", "therapy_type", "bio"}
    assert len(client.get("/api/v1/therapists").json["therapists"]) == 4
    refused = client.get("/api/v1/therapists?therapy_type=chiropractic")
    assert refused.status_code == 422 and "therapy_type" in refused.json["errors"]


def test_slots_carry_the_clinic_offset_of_their_day_across_the_dst_change(client: FlaskClient, app: Flask) -> None:
    with time_machine.travel(local(2026, 10, 20, 8), tick=False):
        clinic = small_clinic()
        therapist = clinic.physiotherapists[0].id
        slots = client.get(f"/api/v1/slots?service=physio-60&from=2026-10-31&to=2026-11-02"
                           f"&therapist_id={therapist}").json["slots"]
    starts = {slot["starts_at"] for slot in slots}
    assert {"2026-10-31T09:00:00-06:00", "2026-11-01T09:00:00-07:00", "2026-11-02T09:00:00-07:00"} <= starts
    assert slots[0] == {"therapist_id": therapist, "starts_at": "2026-10-31T08:00:00-06:00",
                        "ends_at": "2026-10-31T09:00:00-06:00"}


def test_first_available_gives_each_start_once(client: FlaskClient, clinic: Clinic) -> None:
    slots = client.get("/api/v1/slots?service=massage-60&from=2026-12-02&to=2026-12-03").json["slots"]
    starts = [slot["starts_at"] for slot in slots]
    assert len(starts) == len(set(starts)) == 2 * 45
    assert {slot["therapist_id"] for slot in slots} <= {t.id for t in clinic.massage_therapists}


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-12-02&to=2026-12-02", "service"),
    ("service=nope&from=2026-12-02&to=2026-12-02", "service"),
    ("service=physio-60&to=2026-12-02", "from"),
    ("service=physio-60&from=2026-12-02", "to"),
    ("service=physio-60&from=02/12/2026&to=2026-12-02", "from"),
    ("service=physio-60&from=2026-12-02&to=2026-12-01", "to"),
    ("service=physio-60&from=2026-12-01&to=2027-01-01", "to"),
    ("service=physio-60&from=2026-12-01&to=2026-12-01&therapist_id=x", "therapist_id"),
    ("service=physio-60&from=2026-12-01&to=2026-12-01&therapist_id=999999", "therapist_id"),
    ("service=physio-60&from=2026-12-01&to=2026-12-01&therapist_id=99999999999999999999", "therapist_id"),
    ("service=physio-60&from=9999-12-30&to=9999-12-31", "from"),
    ("service=physio-60&from=0001-01-01&to=0001-01-02", "from"),
    ("service=physio-60&from=2026-12-01&to=2026-12-01&therapist_id={massage}", "therapist_id"),
])
def test_a_bad_slot_search_is_422_naming_the_field(client: FlaskClient, clinic: Clinic, query: str,
                                                    field: str) -> None:
    response = client.get("/api/v1/slots?" + query.format(massage=clinic.massage_therapists[0].id))
    assert response.status_code == 422
    assert field in response.json["errors"]


# Rate limits -------------------------------------------------------------------------------------

@pytest.fixture
def redis_limits() -> Iterator[None]:
    """The limiter's keys for these endpoints removed from the test Redis before and after."""
    store = redis.Redis.from_url(TEST_REDIS_URL)

    def flush() -> None:
        for endpoint in ("api.services", "api.therapists"):
            for key in store.scan_iter(f"*/{endpoint}/*"):
                store.delete(key)

    flush()
    yield
    flush()


def test_reads_are_rate_limited_in_redis(database: str, redis_limits: None) -> None:
    limited = create_app(test_settings(database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
                                       RATELIMIT_READ="2 per minute"), environ={})
    client = limited.test_client()
    assert [client.get("/api/v1/services").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get("/api/v1/therapists")
    assert refused.status_code == 200  # each endpoint has its own budget
    assert client.get("/api/v1/services").json["error"].startswith("Too many requests")
    with limited.app_context():
        db.engine.dispose()


def test_rate_limits_are_off_when_the_environment_says_so(database: str, redis_limits: None) -> None:
    settings = test_settings(database, RATELIMIT_STORAGE_URI=TEST_REDIS_URL, RATELIMIT_READ="1 per minute")
    del settings["RATELIMIT_ENABLED"]
    unlimited = create_app(settings, environ={"RATELIMIT_ENABLED": "false"})
    client = unlimited.test_client()
    assert {client.get("/api/v1/services").status_code for _ in range(3)} == {200}
    with unlimited.app_context():
        db.engine.dispose()
