"""The deployment files: docker-compose.yml is valid and complete."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    """Run Debian's docker-compose config -q on the project's file."""
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PUBLIC_BASE_URL")} | env
    return subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, env=environ, check=False)


def test_compose_file_is_valid() -> None:
    result = compose_config(SECRET_KEY="not-a-real-secret", PUBLIC_BASE_URL="https://book.example.ca")
    assert result.returncode == 0, result.stderr


def test_compose_file_demands_a_secret_key() -> None:
    result = compose_config(PUBLIC_BASE_URL="https://book.example.ca")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_file_demands_the_public_base_url_links_are_built_from() -> None:
    result = compose_config(SECRET_KEY="not-a-real-secret")
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL" in result.stderr


def test_the_compose_environment_is_one_production_accepts() -> None:
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["x-app-environment"]
    assert environment["BOOKING_ENV"] == "production"
    assert environment["REDIS_URL"].startswith("redis://"), "in-memory rate limits are refused in production"
    assert "PUBLIC_BASE_URL" in environment
    assert environment["MAIL_SERVER"], "production refuses to start without a mail server"


def test_compose_has_web_worker_beat_db_redis_and_a_mail_catcher() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn --config gunicorn.conf.py" in services["web"]["command"]  # its redacting access log
    assert services["worker"]["command"].startswith("celery -A worker.celery_app worker")
    assert services["beat"]["command"].startswith("celery -A worker.celery_app beat")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["MAIL_SERVER"] == "${MAIL_SERVER:-mailpit}"
    for name in ("web", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "db-data" in compose["volumes"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def pins(lock: str) -> dict[str, str]:
    """The name -> version pins of a lock file."""
    lines = [line.split(";")[0].strip() for line in (ROOT / lock).read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert all("==" in line for line in requirements), "every dependency is pinned exactly"
    return dict(line.split("==") for line in requirements)


def test_lock_files_pin_everything_and_agree() -> None:
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {"flask", "sqlalchemy", "flask-migrate", "psycopg", "gunicorn"} <= runtime.keys()
    assert {"pytest", "hypothesis", "pytest-playwright", "schemathesis"} <= development.keys()
    assert all(development[name] == version for name, version in runtime.items())
    assert "requirements.lock" in (ROOT / "Dockerfile").read_text()
    assert "requirements-dev.lock" in (ROOT / "Makefile").read_text()


def make_dry_run(target: str, venv: Path) -> str:
    """The commands `make <target>` would run from scratch, into a venv of its own (nothing is run)."""
    result = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), target, f"VENV={venv}"],
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_make_run_installs_only_what_the_app_needs(tmp_path: Path) -> None:
    run = make_dry_run("run", tmp_path / "venv")
    assert "-r requirements.lock" in run and "requirements-dev.lock" not in run
    test = make_dry_run("test", tmp_path / "venv")
    assert "-r requirements-dev.lock" in test and "ruff check" in test and "pytest" in test


def test_compose_runs_the_app_as_a_role_that_owns_nothing_and_migrates_as_the_owner() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    owner = services["db"]["environment"]["POSTGRES_USER"]  # a superuser in the postgres image
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://booking_app:"), name
        assert "MIGRATION_DATABASE_URL" not in environment, name  # the owner's password stays out of the app
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    migrate = services["migrate"]
    assert migrate["command"] == "flask --app booking db upgrade"
    assert migrate["environment"]["MIGRATION_DATABASE_URL"].startswith(f"postgresql://{owner}:")
    assert migrate["environment"]["DATABASE_URL"].startswith("postgresql://booking_app:")
    (scripts,) = [volume for volume in services["db"]["volumes"] if volume.endswith(":/docker-entrypoint-initdb.d:ro")]
    init = (ROOT / scripts.split(":")[0]).glob("*.sh")
    assert any("CREATE ROLE booking_app LOGIN NOSUPERUSER" in script.read_text() for script in init)
