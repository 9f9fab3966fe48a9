"""The factory, configuration and security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from booking import create_app
from booking.config import database_url
from booking.extensions import db
from booking.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[1]
MEMORY = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
PRODUCTION = {"BOOKING_ENV": "production", "SECRET_KEY": "x", "PUBLIC_BASE_URL": "https://book.example.ca",
              "REDIS_URL": "redis://127.0.0.1:6379/15", "DATABASE_URL": "sqlite://",
              "MAIL_SERVER": "smtp.example.ca"}


def test_database_url_accepts_usual_postgres_urls() -> None:
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_refuses_to_start_without_secret_key() -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(environ=environ)


def test_production_starts_with_everything_it_needs() -> None:
    app = create_app(environ=PRODUCTION)
    assert app.config["PUBLIC_BASE_URL"] == "https://book.example.ca"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"


def test_production_refuses_to_start_without_a_public_base_url() -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != "PUBLIC_BASE_URL"}
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL is not set"):
        create_app(environ=environ)


def test_production_refuses_to_start_without_a_mail_server() -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != "MAIL_SERVER"}
    with pytest.raises(RuntimeError, match="(?s)MAIL_SERVER is not set.*MAIL_TO_FOLDER=true"):
        create_app(environ=environ)
    with pytest.raises(RuntimeError, match="MAIL_SERVER is not set"):
        create_app(environ={**environ, "MAIL_TO_FOLDER": "false"})


def test_production_writes_mail_files_only_when_told_to() -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != "MAIL_SERVER"}
    app = create_app(environ={**environ, "MAIL_TO_FOLDER": "true"})
    assert (app.config["MAIL_SERVER"], app.config["MAIL_TO_FOLDER"]) == (None, True)


def test_development_links_default_to_the_dev_server() -> None:
    assert create_app(MEMORY, environ={}).config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize("url", ["ftp://book.example.ca", "book.example.ca", "https://", "https:///path",
                                 "https://book.example.ca/?next=x", "https://book.example.ca/#top",
                                 "https://book.example.ca/?", "https://user:pw@book.example.ca",
                                 "https://book.example.ca:99999", "javascript:alert(1)"])
def test_a_malformed_public_base_url_is_refused(url: str) -> None:
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL .* must be an http:// or https:// address"):
        create_app(MEMORY, environ={"PUBLIC_BASE_URL": url})


@pytest.mark.parametrize(("url", "kept"), [("https://book.example.ca/", "https://book.example.ca"),
                                           ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
                                           ("https://example.ca/booking/", "https://example.ca/booking")])
def test_a_public_base_url_is_kept_without_its_trailing_slash(url: str, kept: str) -> None:
    assert create_app(MEMORY, environ={"PUBLIC_BASE_URL": url}).config["PUBLIC_BASE_URL"] == kept


def test_production_refuses_rate_limits_counted_in_memory() -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    with pytest.raises(RuntimeError, match="(?s)in memory.*each gunicorn worker.*REDIS_URL"):
        create_app(environ=environ)
    with pytest.raises(RuntimeError, match="in memory"):
        create_app(environ={**PRODUCTION, "RATELIMIT_STORAGE_URI": "memory://"})


def test_production_may_run_in_memory_with_rate_limits_turned_off() -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    app = create_app(environ={**environ, "RATELIMIT_ENABLED": "false"})
    assert app.config["RATELIMIT_ENABLED"] is False


def test_the_instance_folder_does_not_depend_on_the_working_directory(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    here = create_app(settings, environ={})
    monkeypatch.chdir(tmp_path)
    elsewhere = create_app(settings, environ={})
    assert here.instance_path == elsewhere.instance_path == str(ROOT / "instance")
    assert elsewhere.config["SECRET_KEY"] == here.config["SECRET_KEY"]
    assert elsewhere.config["SECRET_KEY"] == (ROOT / "instance" / "secret_key").read_text().strip()
    assert create_app(environ={}).config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{ROOT}/instance/booking.sqlite3"
    assert not (tmp_path / "instance").exists()


def test_instance_path_moves_the_secret_key_and_the_default_database(tmp_path: Path) -> None:
    app = create_app(environ={"INSTANCE_PATH": str(tmp_path / "clinic")})
    first = app.config["SECRET_KEY"]
    assert app.instance_path == str(tmp_path / "clinic")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/clinic/booking.sqlite3"
    assert create_app(environ={"INSTANCE_PATH": str(tmp_path / "clinic")}).config["SECRET_KEY"] == first
    assert (tmp_path / "clinic" / "secret_key").read_text() == first and len(first) >= 32


def test_a_relative_instance_path_is_refused() -> None:
    with pytest.raises(RuntimeError, match="INSTANCE_PATH 'instance' must be an absolute path"):
        create_app(MEMORY, environ={"INSTANCE_PATH": "instance"})


def test_the_developers_environment_does_not_leak_into_the_test_app(monkeypatch: pytest.MonkeyPatch,
                                                                    database: str) -> None:
    for key, value in {"BOOKING_ENV": "production", "CLINIC_TIMEZONE": "Asia/Tokyo", "SECRET_KEY": "mine",
                       "REDIS_URL": "redis://127.0.0.1:1/0", "DATABASE_URL": "sqlite:////nowhere/x.db",
                       "PUBLIC_BASE_URL": "https://mine.example", "CLINIC_NAME": "My Own Clinic"}.items():
        monkeypatch.setenv(key, value)
    app = make_app(database)
    assert app.config["BOOKING_ENV"] == "development"
    assert app.config["CLINIC_TIMEZONE"] == "America/Edmonton"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url(database)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["PUBLIC_BASE_URL"] == "http://localhost"
    response = app.test_client().get("/")
    assert response.status_code == 200 and "My Own Clinic" not in response.get_data(as_text=True)
    assert "Strict-Transport-Security" not in response.headers
    with app.app_context():
        db.engine.dispose()


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    app = create_app({"SECRET_KEY": "x"}, environ={
        "DATABASE_URL": f"sqlite:///{tmp_path}/env.db", "CLINIC_NAME": "Prairie Physio",
        "CLINIC_TIMEZONE": "America/Regina", "RATELIMIT_ENABLED": "false", "FLASK_MAX_CONTENT_LENGTH": "1000"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    assert app.config["CLINIC_NAME"] == "Prairie Physio"
    assert app.config["CLINIC_TIMEZONE"] == "America/Regina"
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["MAX_CONTENT_LENGTH"] == 1000


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(RuntimeError, match="CLINIC_TIMEZONE"):
        create_app(MEMORY, environ={"CLINIC_TIMEZONE": "Mars/Olympus"})


def test_security_headers(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_an_api_read_without_a_cookie_gets_every_security_header_and_no_cookie(app: Flask) -> None:
    response = app.test_client().get("/api/v1/services")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_the_session_cookie_sent_back_is_read(app: Flask) -> None:
    """The home page's form keeps its CSRF token in the session: sent back, the cookie brings the token, so the
    next page stores none (no new cookie) and a form posted with the first page's token is accepted."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    first = client.get("/")
    assert "Set-Cookie" in first.headers
    again = client.get("/")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', first.get_data(as_text=True))
    assert token is not None
    assert client.post("/", data={"csrf_token": token[1]}).status_code == 200  # not 400 "This form has expired"


def test_production_adds_hsts_and_secure_cookies(database: str) -> None:
    app: Flask = create_app({"SQLALCHEMY_DATABASE_URI": database}, environ=PRODUCTION)
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_healthz_answers_200_with_a_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_without_a_database() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"},
                     environ={})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_unknown_page_is_a_friendly_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)
    assert client.get("/api/v1/no-such-thing").json == {"error": "We could not find that page."}


def test_wrong_method_says_which_are_allowed(client) -> None:  # type: ignore[no-untyped-def]
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_the_json_api_needs_no_csrf_token_but_forms_do(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    created = client.post("/api/v1/screenings", json={"concerns": ["muscle_tension"]})
    assert created.status_code == 201, created.json
    refused = client.post("/api/v1/appointments", json={})
    assert refused.status_code == 422, refused.json
    assert client.post("/", data={"name": "x"}).status_code == 400


def test_rate_limits_are_kept_in_redis_when_redis_url_is_set() -> None:
    app = create_app(MEMORY, environ={"REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/15"
    assert create_app(MEMORY, environ={}).config["RATELIMIT_STORAGE_URI"] == "memory://"
