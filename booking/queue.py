"""The Celery app, bound to the Flask app as Flask documents it (``celery_init_app``).

The web side uses it only to publish tasks by name (``booking.outbox.relay``);
the worker (``worker/celery_app.py``) runs them. Every task runs inside the Flask
app's context. The broker is CELERY_BROKER_URL, else REDIS_URL, else kombu's
filesystem transport in INSTANCE_PATH/broker/, so that messages flow on a
machine with no server at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from celery import Celery, Task
from flask import Flask

# Publishing must not hold up a booking when the broker is down: one quick retry, then the
# outbox row simply waits for the next relay.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


# The transport ignores the host; naming one spares the worker kombu's "No hostname was supplied" warning.
EMBEDDED_BROKER_URL = "filesystem://localhost/"


def broker_settings(config: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """The broker's URL and transport options from the configuration."""
    url = config.get("CELERY_BROKER_URL") or config.get("REDIS_URL")
    if url:
        return {"broker_url": url}
    folder = Path(instance_path) / "broker"
    for part in ("queue", "processed", "control"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    return {"broker_url": EMBEDDED_BROKER_URL, "broker_transport_options": {
        "data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"), "control_folder": str(folder / "control"),
        "store_processed": False}}


def describe_broker(url: str) -> str:
    """The broker's URL with any password hidden, for the worker's startup line."""
    if url == EMBEDDED_BROKER_URL:
        return "the embedded filesystem broker"
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def celery_init_app(app: Flask) -> Celery[Any]:
    """A Celery app whose tasks run in this Flask app's context; kept in app.extensions["celery"]."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        **broker_settings(app.config, app.instance_path),
        task_default_queue=app.config["CELERY_QUEUE"],
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_publish_retry_policy=PUBLISH_RETRY,
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule_filename=str(Path(app.instance_path) / "celerybeat-schedule"),
        timezone="UTC",
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
