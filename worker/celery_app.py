"""The one place a worker builds the Flask app; the Celery app comes from it (Flask's celery pattern).

After the prefork pool forks, each child disposes of the database engine it
inherited (connections must not be shared across processes); after each task
the session is removed. The startup line names the broker in use.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import task_postrun, worker_process_init, worker_ready

from booking import create_app
from booking.extensions import db
from booking.queue import describe_broker
from worker import schedule

logger = logging.getLogger("worker")
# Each task's "received" and "succeeded" lines, and beat's every five seconds, would drown what
# matters (a notification sent, skipped or failing, the mail file written): warnings only.
for chatty in ("celery.app.trace", "celery.worker.strategy", "celery.beat"):
    logging.getLogger(chatty).setLevel(logging.WARNING)

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
celery_app.conf.beat_schedule = schedule.beat_schedule(flask_app.config)
celery_app.conf.include = ["worker.tasks"]


@worker_process_init.connect
def _dispose_engine_after_fork(**_: Any) -> None:
    """Drop the connections inherited from the parent process; the child opens its own."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


@task_postrun.connect
def _remove_session(**_: Any) -> None:
    """End the task's database session, whatever the task did."""
    with flask_app.app_context():
        db.session.remove()


@worker_ready.connect
def _say_which_broker(**_: Any) -> None:
    """The worker's startup line: which broker it consumes from."""
    logger.info("worker ready; broker: %s", describe_broker(celery_app.conf.broker_url))
