"""The deployment files: docker-compose.yml is valid and complete."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    """Run Debian's docker-compose config -q on the project's file."""
    environ = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | env
    return subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, env=environ, check=False)


def test_compose_file_is_valid() -> None:
    result = compose_config(SECRET_KEY="not-a-real-secret")
    assert result.returncode == 0, result.stderr


def test_compose_file_demands_a_secret_key() -> None:
    result = compose_config()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_has_web_db_and_redis_with_healthchecks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn" in services["web"]["command"]
    for name in ("web", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "db-data" in compose["volumes"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
