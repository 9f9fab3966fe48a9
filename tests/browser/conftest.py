"""Browser fixtures: the app served from a thread on its own PostgreSQL schema, and a phone-sized Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from booking import create_app
from booking.extensions import db
from tests.conftest import migrate, private_schema, test_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@dataclass(frozen=True)
class LiveServer:
    """The served app and the address it answers on."""

    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_app() -> Iterator[LiveServer]:
    """The app, CSRF protection on, served on a free 127.0.0.1 port of its own PostgreSQL schema."""
    with contextmanager(private_schema)("browser") as url:
        migrate(url)
        app = create_app(test_settings(url, WTF_CSRF_ENABLED=True), environ={})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # the links patients follow
        try:
            yield LiveServer(app, app.config["PUBLIC_BASE_URL"])
        finally:
            server.shutdown()
            thread.join()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: LiveServer) -> str:
    """The live server's base URL."""
    return live_app.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, headless; the tests fail (never skip) when it is missing."""
    if not CHROMIUM.is_file():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}: apt-get install chromium", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: str) -> dict[str, Any]:
    """A phone-sized touch screen, with page addresses relative to the live server."""
    return {**browser_context_args, **PHONE, "base_url": live_server}
