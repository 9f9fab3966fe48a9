"""What a web process imports: gunicorn's master nothing of the app, a web worker nothing that only a few
pages or the command line need (issue 15: a worker's memory is what it imports, in every worker).

Each check runs in a fresh interpreter, since this one has imported everything the tests use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from booking.extensions import db
from tests.factories import small_clinic

ROOT = Path(__file__).resolve().parents[1]
FLASK = Path(sys.executable).with_name("flask")

# What each heavy module is for, and about what it would cost every web worker (MiB of RSS).
HEAVY = {"zxcvbn": "a new password's strength, 12", "alembic": "flask db, 11 (with flask_migrate and mako)",
         "flask_migrate": "flask db", "mako": "flask db", "icalendar": "calendar files, 3",
         "segno": "the QR code of two-factor enrolment, 1"}
# The modules that use them, imported all the same: the imports are deferred, not the modules left out.
USERS = {"booking.services.staff_accounts.passwords", "booking.services.staff_accounts.two_factor",
         "booking.clinic.calendar", "booking.services.therapists.feed", "booking.cli.migrations"}

STARTING = """
import json, logging, runpy, sys
runpy.run_path("gunicorn.conf.py")["on_starting"](None)
print(json.dumps({"modules": sorted(sys.modules),
                  "redacting": getattr(logging.getLogRecordFactory(), "redacts_secrets", False)}))
"""

SERVING = """
import json, sys
from booking import create_app
url, instance, *paths = sys.argv[1:]
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret", "PUBLIC_BASE_URL": "http://localhost",
                  "INSTANCE_PATH": instance, "RATELIMIT_STORAGE_URI": "memory://"}, environ={})
client = app.test_client()
statuses = [client.get(path).status_code for path in paths]
print(json.dumps({"statuses": statuses, "modules": sorted(sys.modules)}))
"""


def run_python(code: str, *args: str) -> dict[str, object]:
    """What a fresh interpreter running the code in the project's folder printed last, as JSON."""
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={"PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_gunicorns_master_installs_the_log_redaction_and_imports_nothing_of_the_app() -> None:
    found = run_python(STARTING)
    modules = set(found["modules"])  # type: ignore[arg-type]

    assert found["redacting"] is True
    assert {name for name in modules if name.split(".")[0] == "booking"} == {"booking", "booking.logs"}
    assert {"flask", "sqlalchemy", "celery"}.isdisjoint(modules)


@pytest.mark.commits  # the other process reads the clinic
def test_a_web_worker_serving_patients_and_staff_imports_none_of_the_heavy_modules(
        app: Flask, database: str, tmp_path: Path) -> None:
    clinic = small_clinic()
    service, screening = clinic.physio.code, clinic.screenings["physiotherapy"].id
    day = date.today() + timedelta(days=3)
    paths = ["/", "/healthz", f"/api/v1/slots?service={service}&from={day}&to={day}",
             f"/book/{screening}/times?service={service}", "/staff/login"]
    db.session.commit()  # and no transaction left open: on SQLite, a reader holds off the other process's writes

    found = run_python(SERVING, database, str(tmp_path), *paths)
    modules = set(found["modules"])  # type: ignore[arg-type]

    assert found["statuses"] == [200] * len(paths)
    assert modules >= USERS
    assert {name: why for name, why in HEAVY.items() if name in modules} == {}


def test_flask_db_runs_flask_migrates_commands(tmp_path: Path) -> None:
    environ = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
               "INSTANCE_PATH": str(tmp_path)}

    def flask_db(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(FLASK), "--app", "booking", "db", *args], cwd=ROOT, env=environ,
                              capture_output=True, text=True, timeout=120)

    assert flask_db("upgrade").returncode == 0
    current = flask_db("current")
    assert current.returncode == 0 and current.stdout.strip().endswith("(head)"), current
    refused = flask_db("upgrade", "--no-such-option")
    assert refused.returncode == 2 and "No such option" in refused.stderr
