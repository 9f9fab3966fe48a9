"""No secret and no personal data in any log: the app's, the dev server's (werkzeug) and gunicorn's."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from werkzeug.serving import make_server

from booking.extensions import db
from booking.models import Patient
from tests.appointments.conftest import input_value, slot_buttons
from tests.factories import CLINIC_ZONE, small_clinic

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = {"concerns": ["chronic_pain"], "precautions": ["anticoagulants", "osteoporosis"]}
PATIENT = {"name": "Avery Quillfeather", "email": "Avery.Q@Example.com", "phone": "403 555 0199", "under_18": "no", "consent": "y"}
SECOND = {"name": "Blair Moonstone", "email": "blair.m@example.org", "phone": "403 555 0123", "under_18": "no", "consent": "y"}
REFUSED = {"name": "Zelda Thornquist", "email": "zelda.t@example.net", "phone": "403 555 0177", "under_18": "no", "consent": "y"}
WRONG_TOKEN = "avery.q@example.com"  # what a patient might paste into a manage link
CONSTRAINT = "ck_refused_patient"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand back redirects instead of following them."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Follow no redirect."""
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def call(url: str, data: dict[str, str] | None = None, body: object = None) -> tuple[int, str, str]:
    """Send a request (a form when data is given, JSON when body is); answer status, Location and body."""
    request = urllib.request.Request(url)
    if data is not None:
        request.data = urllib.parse.urlencode(data).encode()
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with OPENER.open(request, timeout=20) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), error.read().decode()


@dataclass
class Journey:
    """What a journey sent and received: the secrets that must stay out of the logs."""

    screening_id: str
    token: str

    def secrets(self) -> list[str]:
        """Every value that no log line may hold."""
        people = [PATIENT, SECOND, REFUSED]
        values = [self.screening_id, self.screening_id.replace("-", ""), self.token, WRONG_TOKEN]
        for person in people:
            digits = re.sub(r"\D", "", person["phone"])
            values += [person["name"], *person["name"].split(), person["email"], person["email"].lower(),
                       person["email"].split("@")[0].lower(), person["phone"], digits]
        return values + [code for codes in ANSWERS.values() for code in codes]


def journey(base: str, service: str, therapist: int, *, view_error: bool) -> Journey:
    """Screening, booking, confirmation, manage page, calendar, cancel, and the failures between them.

    Run it inside ``refusing(REFUSED["name"])``: the third booking's INSERT fails. It reads
    nothing of the database itself (on SQLite, a read would keep the servers from writing).
    """
    status, _, body = call(f"{base}/api/v1/screenings", body=ANSWERS)
    assert status == 201, body
    screening_id = json.loads(body)["id"]
    assert call(f"{base}/screening/{screening_id}")[0] == 200
    assert call(f"{base}/book/{screening_id}?service={service}")[0] in (302, 303)
    day = (datetime.now(CLINIC_ZONE) + timedelta(days=2)).date()
    _, _, page = call(f"{base}/book/{screening_id}/times?service={service}&therapist={therapist}"
                      f"&date={day.isoformat()}")
    slots = [value for value, _ in slot_buttons(page)]
    first, later = slots[0], slots[-1]  # far enough apart not to overlap
    details = f"{base}/book/{screening_id}/details"
    _, _, page = call(f"{details}?" + urllib.parse.urlencode(
        {"service": service, "therapist": therapist, "start": first}))
    form = {name: input_value(page, name) or "" for name in ("service", "therapist", "starts_at", "idempotency_key")}

    status, location, _ = call(details, data={**form, **PATIENT})
    assert status == 303 and "/book/confirmed/" in location, status
    token = location.rsplit("/", 1)[1]
    assert call(f"{base}/book/confirmed/{token}")[0] == 200
    assert call(f"{base}/book/manage/{token}")[0] == 200
    assert call(f"{base}/book/manage/{token}/calendar.ics")[0] == 200
    assert call(f"{base}/book/manage/{WRONG_TOKEN}")[0] == 404

    taken = call(details, data={**form, **SECOND, "idempotency_key": "another-request"})
    assert taken[0] == 409 and "just taken" in taken[2]
    failed = call(details, data={**form, **REFUSED, "starts_at": later, "idempotency_key": "third"})
    assert failed[0] >= 400
    if view_error:
        assert call(f"{base}/book/manage/{token}/explode")[0] == 500
    assert call(f"{base}/book/manage/{token}/cancel", data={"reason": "Feeling better"})[0] == 303
    return Journey(screening_id, token)


@contextmanager
def refusing(name: str) -> Iterator[None]:
    """The database refuses to store a patient of this name (a constraint, or a trigger on SQLite).

    Its SQL holds the name: enter it before the logs are captured.
    """
    if db.engine.dialect.name == "postgresql":
        create = f"ALTER TABLE patients ADD CONSTRAINT {CONSTRAINT} CHECK (name <> '{name}')"
        drop = f"ALTER TABLE patients DROP CONSTRAINT {CONSTRAINT}"
    else:
        create = (f"CREATE TRIGGER {CONSTRAINT} BEFORE INSERT ON patients WHEN NEW.name = '{name}' "
                  f"BEGIN SELECT RAISE(ABORT, '{CONSTRAINT}'); END")
        drop = f"DROP TRIGGER {CONSTRAINT}"
    db.session.rollback()
    db.session.execute(text(create))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(text(drop))
        db.session.commit()


def assert_no_secret(logged: str, found: Journey) -> None:
    """No secret of the journey is in the logged text (compared without case)."""
    lowered = logged.lower()
    leaked = [secret for secret in found.secrets() if secret.lower() in lowered]
    assert not leaked, f"{leaked} logged in:\n{logged}"


def log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Capture every logger at DEBUG, and SQLAlchemy's statements as SQLALCHEMY_ECHO would show them."""
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "flask", "booking", "gunicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")


@pytest.fixture
def clinic(app: Flask) -> tuple[str, int]:
    """A small clinic on the real clock (the servers run on it): its physiotherapy service and a therapist."""
    clinic = small_clinic()
    return clinic.physio.code, clinic.physiotherapists[0].id


@pytest.fixture
def dev_server(app: Flask) -> Iterator[str]:
    """The app, with a view that fails, served by werkzeug's dev server (what `make run` uses)."""

    def explode(token: str) -> str:
        query = urllib.parse.urlencode({"name": PATIENT["name"]})
        raise RuntimeError(f"no luck for {PATIENT['email']} at /book/manage/{token}?{query}")

    app.add_url_rule("/book/manage/<token>/explode", "explode", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside tests: a 500 page, and the error logged
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.commits  # the server's threads read the clinic
def test_the_dev_server_logs_of_a_whole_journey_hold_no_secret(dev_server: str, clinic: tuple[str, int],
                                                               caplog: pytest.LogCaptureFixture) -> None:
    with refusing(REFUSED["name"]):
        log_everything(caplog)
        found = journey(dev_server, *clinic, view_error=True)

    assert_no_secret(caplog.text, found)
    assert "Exception on /book/manage/<token>/explode [GET]" in caplog.text  # Flask's own line, redacted
    assert "Traceback" in caplog.text and "RuntimeError: no luck for <email> at /book/manage/<token>" in caplog.text
    access = [ANSI.sub("", r.getMessage()) for r in caplog.records if r.name == "werkzeug"]
    for line in ('"GET /screening/<id> HTTP/1.1" 200', '"GET /book/<id>/times HTTP/1.1" 200',
                 '"POST /book/<id>/details HTTP/1.1" 303', '"GET /book/manage/<token> HTTP/1.1" 200',
                 '"GET /book/manage/<token>/calendar.ics HTTP/1.1" 200', '"GET /book/manage/<token> HTTP/1.1" 404',
                 '"GET /book/manage/<token>/explode HTTP/1.1" 500', '"POST /book/manage/<token>/cancel HTTP/1.1" 303'):
        assert any(line in each for each in access), (line, access)
    assert all(re.search(r"\[\d\d/\w{3}/\d{4} [\d:]{8}\]", each) for each in access), access


def test_a_failed_insert_is_logged_without_its_values(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with refusing(REFUSED["name"]):
        log_everything(caplog)
        db.session.add(Patient(name=REFUSED["name"], email=REFUSED["email"], phone=REFUSED["phone"]))
        with pytest.raises(IntegrityError) as failed:
            db.session.flush()
        logging.getLogger("booking.test").error("the insert failed", exc_info=failed.value)

    logged = caplog.text
    for field in ("name", "email", "phone"):
        assert REFUSED[field] not in logged
    assert "IntegrityError" in logged and CONSTRAINT in logged and "INSERT INTO patients" in logged


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database: str, instance: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The app under gunicorn with the project's gunicorn.conf.py, on one worker and a free port."""
    port = free_port()
    environ = {"PATH": os.environ["PATH"], "SECRET_KEY": "test-secret", "DATABASE_URL": database,
               "RATELIMIT_ENABLED": "false", "WTF_CSRF_ENABLED": "false", "INSTANCE_PATH": str(instance)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "booking:create_app()"],
        cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while call_or_none(f"{base}/healthz") != 200:
            assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def call_or_none(url: str) -> int | None:
    """The status of a GET, or None while nothing answers."""
    try:
        return call(url)[0]
    except OSError:
        return None


@pytest.mark.commits  # gunicorn's processes read the clinic
def test_gunicorn_logs_each_request_without_secrets(database: str, clinic: tuple[str, int], tmp_path: Path) -> None:
    with refusing(REFUSED["name"]), gunicorn(database, tmp_path) as (base, process):
        found = journey(base, *clinic, view_error=False)
    logged = process.stdout.read() if process.stdout else ""

    assert_no_secret(logged, found)
    access = [line for line in logged.splitlines() if re.match(r"\[[^]]+\] \"[A-Z]+ /", line)]
    for line in ('"GET /screening/<id>" 200', '"GET /book/<id>/times" 200', '"POST /book/<id>/details" 303',
                 '"GET /book/manage/<token>" 200', '"GET /book/manage/<token>" 404',
                 '"POST /book/manage/<token>/cancel" 303'):
        assert any(re.search(re.escape(line) + r" \d+ms$", each) for each in access), (line, logged)


def test_the_image_and_the_stack_run_gunicorn_with_its_config_file() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "gunicorn.conf.py" in dockerfile and re.search(r"COPY .*gunicorn\.conf\.py", dockerfile)
    assert re.search(r"gunicorn --config gunicorn\.conf\.py", compose)


# A path that tries to end its log line and start a forged one (and to clear the terminal).
FORGED_PATH = "/nowhere/a%0Aforged%20line%0D%1b[2Jagain"
ESCAPED_PATH = "/nowhere/a\\nforged line\\r\\x1b[2Jagain"


def no_forged_line(logged: str) -> bool:
    """Whether no line of the log begins with what followed a line break in the path."""
    return not any(line.startswith(("forged", "again", "[2J")) for line in logged.splitlines())


def test_a_path_with_line_breaks_stays_on_one_line_of_the_apps_log(fresh_app: Flask,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    def explode(rest: str) -> str:
        raise RuntimeError(f"no luck at {request.path}")

    fresh_app.add_url_rule("/nowhere/<rest>", "nowhere", explode)
    fresh_app.config["PROPAGATE_EXCEPTIONS"] = False  # as outside tests: a 500 page, and the error logged
    log_everything(caplog)
    assert fresh_app.test_client().get(FORGED_PATH).status_code == 500

    lines = caplog.text.splitlines()
    (line,) = [line for line in lines if "unhandled error on GET" in line]
    assert line.endswith(f"unhandled error on GET {ESCAPED_PATH}")
    assert f"RuntimeError: no luck at {ESCAPED_PATH}" in lines  # the traceback's message too
    assert no_forged_line(caplog.text)


def test_separators_and_direction_overrides_are_escaped_in_a_log_line(app: Flask,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="booking")
    logging.getLogger("booking.test").info("looked up %s", "a\u2028b\u202ec\x85d\x7fe\x00f\u2066g")
    assert caplog.messages == ["looked up a\\u2028b\\u202ec\\x85d\\x7fe\\x00f\\u2066g"]


def test_a_path_with_line_breaks_stays_on_one_line_of_gunicorns_access_log(database: str, tmp_path: Path) -> None:
    with gunicorn(database, tmp_path) as (base, process):
        assert call(base + FORGED_PATH)[0] == 404
    logged = process.stdout.read() if process.stdout else ""

    (line,) = [line for line in logged.splitlines() if '"GET /nowhere/' in line]
    assert re.fullmatch(r"\[[^]]+\] " + re.escape(f'"GET {ESCAPED_PATH}" 404 ') + r"\d+ms", line), logged
    assert no_forged_line(logged)
