"""Sending one notification: claim it, re-check it, send it, mark it.

What this guarantees. A notification is sent at most once per claim, and a
claim is exclusive: ``claim`` takes the row under ``FOR UPDATE SKIP LOCKED``
on PostgreSQL (under SQLite's one writer, BEGIN IMMEDIATE) and only when it is
due and unclaimed, or when an earlier claim's lease has run out (its worker
died). So however many relays and workers run, on however many machines, two
never send the same notification at once, and a dead worker's notification
is sent by another after the lease (NOTIFY_LEASE_SECONDS).

The one narrow window: a worker that dies after the mail server accepted the
message but before ``_finish`` marked it sent leaves a claim that runs out,
and the message is sent again. SMTP gives no way to close this window (the
acceptance and our mark cannot be one transaction); it is as narrow as one
UPDATE, and the re-sent message carries the same Message-ID (derived from the
notification's unique key), so mail clients and people can recognise it.

Failures: a transient one (SMTP 4xx, a server that does not answer) puts the
notification back with a due time after an exponential backoff with jitter;
a permanent one (5xx, a refused address) marks it failed at once, as does
the last allowed attempt (NOTIFY_MAX_ATTEMPTS). A message that cannot be made
(a template that fails, a stored name with a line break that no header may
hold) is a permanent failure too: the row says the error's class only, never
its text, which could quote a patient's details. An attempt that never ends
(its worker is killed, or the task fails unexpectedly) counts as well: a
claim that runs out after the last allowed attempt marks the notification
failed, rather than trying it again after every lease for ever.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Appointment, Notification, NotificationStatus
from booking.notifications import messages
from booking.notifications.channels import DeliveryError, channel_for
from booking.notifications.drafts import NotOwed

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600
UNFINISHED = "no attempt finished (the worker stopped or the task failed)"


def backoff(attempt: int, base_seconds: float, rng: random.Random | None = None) -> timedelta:
    """The wait before attempt ``attempt + 1``: base × 2^(attempt-1), at most an hour, times a jitter of 0.5 to 1.5."""
    delay = min(base_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
    return timedelta(seconds=delay * (rng or random).uniform(0.5, 1.5))


def claimable(notification: Notification, now: datetime) -> bool:
    """Whether a worker may claim the notification now: due and waiting, or its last claim ran out."""
    if notification.status == NotificationStatus.PENDING:
        return notification.due_at <= now
    return notification.status == NotificationStatus.SENDING and (notification.claimed_until or now) <= now


# The table, for statements that need no ORM: the attribute names of Notification are its column names.
NOTIFICATIONS = cast(Table, Notification.__table__)
# What rendering a notification reads, loaded with the claim in one query rather than one by one.
WITH_ITS_RECORDS = (joinedload(Notification.appointment).options(
    joinedload(Appointment.patient), joinedload(Appointment.service), joinedload(Appointment.therapist)),
    joinedload(Notification.therapist))
# The claim's read and the writes of a notification's row, each made once: building a statement and its cache
# key at every call cost more than running it. STORE sets the columns its parameters name.
CLAIM = (select(Notification).where(Notification.id == bindparam("notification_id")).options(*WITH_ITS_RECORDS)
         .execution_options(populate_existing=True).with_for_update(skip_locked=True, of=Notification))
STORE = update(NOTIFICATIONS).where(NOTIFICATIONS.c.id == bindparam("notification_id"))


def claim(notification_id: int, now: datetime) -> Notification | None:
    """Take the notification for this worker until its lease ends; None when it is not ours to send.

    The row is locked (not the visit's); the visit, its patient, service and therapist come
    with it, as they are at the claim: one SELECT, one UPDATE and the commit.
    """
    notification = db.session.scalars(CLAIM, {"notification_id": notification_id}).first()
    if notification is None or not claimable(notification, now):
        db.session.rollback()
        return None
    if notification.status == NotificationStatus.SENDING and \
            notification.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        _finish(notification, NotificationStatus.FAILED, error=UNFINISHED)
        logger.warning("notification %s (%s): %s; now failed", notification.id, notification.kind, UNFINISHED)
        return None
    _store(notification, status=NotificationStatus.SENDING, attempts=notification.attempts + 1,
           claimed_until=now + timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"]))
    return notification


def _store(notification: Notification, **values: object) -> None:
    """Write these columns of the notification's row and commit; the loaded object holds them as stored.

    One UPDATE of the table rather than a flush of the object: the ORM's unit of work (finding
    what changed, ordering, bookkeeping) cost more worker time than the statement itself, twice
    per message (and the ORM's bulk UPDATE, which would look for the object among those loaded, half as much
    again). The row is ours (locked at the claim, then claimed), so the values are its values.
    """
    db.session.execute(STORE, {"notification_id": notification.id, **values})
    for name, value in values.items():
        set_committed_value(notification, name, value)
    db.session.commit()


def _finish(notification: Notification, status: str, *, error: str | None = None,
            due_at: datetime | None = None) -> None:
    """Record how the attempt ended."""
    values: dict[str, object] = {"status": status, "claimed_until": None, "last_error": error}
    if status == NotificationStatus.SENT:
        values["sent_at"] = moment()
    if due_at is not None:
        values.update(due_at=due_at, relayed_at=None)
    _store(notification, **values)


def _failed_attempt(notification: Notification, error: DeliveryError, now: datetime) -> str:
    """Put a transient failure back for later, or mark the notification failed; the status."""
    config = current_app.config
    if error.transient and notification.attempts < config["NOTIFY_MAX_ATTEMPTS"]:
        due_at = now + backoff(notification.attempts, config["NOTIFY_RETRY_SECONDS"])
        _finish(notification, NotificationStatus.PENDING, error=error.reason, due_at=due_at)
    else:
        _finish(notification, NotificationStatus.FAILED, error=error.reason)
    logger.warning("notification %s (%s) attempt %s: %s; now %s", notification.id, notification.kind,
                   notification.attempts, error.reason, notification.status)
    return notification.status


@contextmanager
def _kept_loaded() -> Iterator[None]:
    """Commits that leave the loaded objects as they are: they hold what was just read and
    written, and reloading them after each commit would cost a query per object."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = expire_on_commit


def deliver(notification_id: int, *, now: datetime | None = None) -> str:
    """Send one notification if it is ours to send; the outcome (a status, or "not claimed")."""
    with _kept_loaded():
        return _deliver(notification_id, moment(now))


def deliver_each(notification_ids: list[int]) -> list[str]:
    """Send each notification of a relay's batch as ``deliver`` does, each claimed and marked on its own.

    A fault of one (the database gone while it is sent) leaves its claim to run out,
    as a failed task would, and the next ones are still tried. Between two, what the
    session loaded is expired: each message is made from the records as they are then.
    """
    outcomes = []
    for notification_id in notification_ids:
        try:
            outcomes.append(deliver(notification_id))
        except Exception as exc:  # any fault: this attempt ends (its claim runs out), the batch goes on
            db.session.rollback()
            logger.warning("notification %s: the attempt stopped (%s); it is tried again after its lease",
                           notification_id, type(exc).__name__)
            outcomes.append(UNFINISHED)
        db.session.expire_all()
    return outcomes


def _deliver(notification_id: int, when: datetime) -> str:
    """Claim, render, send and mark one notification (see the module docstring)."""
    notification = claim(notification_id, when)
    if notification is None:
        return "not claimed"
    try:
        outgoing = messages.render(notification, when)
    except NotOwed as reason:
        _finish(notification, NotificationStatus.SKIPPED, error=str(reason))
        logger.info("notification %s (%s) skipped: %s", notification.id, notification.kind, reason)
        return NotificationStatus.SKIPPED
    except SQLAlchemyError:
        raise  # the database, not the message: the claim runs out and a later attempt tries again
    except Exception as exc:  # any fault of the message itself (a template, a stored value) fails it now
        unmade = DeliveryError(f"the message could not be made ({type(exc).__name__})", transient=False)
        return _failed_attempt(notification, unmade, when)
    db.session.commit()  # hold no transaction (on SQLite: no write lock) while the mail server talks
    try:
        channel_for(outgoing).send(outgoing)
    except DeliveryError as error:
        return _failed_attempt(notification, error, when)
    _finish(notification, NotificationStatus.SENT)
    logger.info("notification %s (%s) sent", notification.id, notification.kind)
    return NotificationStatus.SENT
