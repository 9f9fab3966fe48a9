"""Absolute links, built from PUBLIC_BASE_URL alone.

A link that leaves the site (a calendar file, the confirmation page's link to
keep, an email) must never take its host from the request: a forged ``Host``
header would otherwise put an attacker's address in front of a patient's
secret manage link. Relative links (``url_for``) stay as they are.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of a full endpoint name ("appointments.manage"), under PUBLIC_BASE_URL.

    Works with or without a request, so the worker's emails can use it too.
    """
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def register(app: Flask) -> None:
    """Offer absolute_url to the templates."""
    app.add_template_global(absolute_url)
