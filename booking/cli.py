"""Command-line commands (flask --app booking ...)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Install the commands."""
