"""Handing due notifications to the worker: straight after each commit, and on the scheduler's beat.

The relay is the one seam between the web side and the worker: it publishes
``notifications.deliver`` tasks by name, carrying only a notification's id,
so ``booking`` never imports ``worker``. A row handed over is stamped
``relayed_at`` and not handed over again for a lease (NOTIFY_LEASE_SECONDS),
unless its attempt ends and sets a new due time; so a message lost with a
killed worker is handed over again, and a live one is not flooded with twins.
A row due at once is stamped by the outbox in the change's own transaction
and published by ``hand_over`` right after the commit.
Several relays may run at once: they take rows under ``FOR UPDATE SKIP
LOCKED`` (PostgreSQL) or one at a time (SQLite), and the claim in
``delivery`` makes a duplicate task harmless anyway.

One round trip to the broker per hand-over: the tasks are published through
kombu's producer batch (a Redis pipeline; the filesystem broker, which has
none, publishes them one by one). The beat relay's tasks each carry up to
PER_TASK ids (``notifications.deliver_batch``), each id still claimed, sent
and marked on its own; a hand-over's carry one id each, so that a booking's
messages go to several worker processes at once. Deploy order: workers
before anything that runs the relay (the relay itself runs on the workers,
so during a rolling upgrade an old worker may take a batch task it does not
know: it drops it, and its rows are handed over again after one lease, never
lost and never sent twice).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select, update

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.deliver"
DELIVER_BATCH_TASK = "notifications.deliver_batch"
BATCH = 500
PER_TASK = 10  # ids in one of the beat relay's tasks


def _due(now: datetime) -> ColumnElement[bool]:
    """The condition of a row that should be handed over now."""
    lease = timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    waiting = and_(Notification.status == NotificationStatus.PENDING, Notification.due_at <= now)
    abandoned = and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_until <= now)
    return and_(or_(waiting, abandoned),
                or_(Notification.relayed_at.is_(None), Notification.relayed_at <= now - lease))


def _take(now: datetime, ids: Sequence[int] | None = None) -> list[int]:
    """Stamp up to a batch of due rows (only these ids, when given) as handed over; their ids."""
    query = select(Notification.id).where(_due(now)).order_by(Notification.due_at).limit(BATCH)
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    taken = list(db.session.scalars(query.with_for_update(skip_locked=True)))
    if taken:
        db.session.execute(update(Notification).where(Notification.id.in_(taken)).values(relayed_at=now))
    db.session.commit()
    return taken


def _publish(ids: list[int], *, per_task: int = 1) -> int:
    """Send deliver tasks for the ids, ``per_task`` ids each, in one round trip; how many ids were sent.

    On a broker error none counts as sent (a pipeline that failed may have delivered
    part of it: the claim makes a duplicate harmless): all are un-stamped, so that
    the next relay tries at once.
    """
    celery = current_app.extensions["celery"]
    try:
        with celery.producer_or_acquire() as producer, producer.batch():
            for start in range(0, len(ids), per_task):
                chunk = ids[start:start + per_task]
                if per_task == 1:
                    celery.send_task(DELIVER_TASK, args=chunk, producer=producer)
                else:
                    celery.send_task(DELIVER_BATCH_TASK, args=[chunk], producer=producer)
    except Exception as exc:  # any broker or connection error: the rows simply wait
        logger.warning("the broker did not take %s notification(s) (%s); the next relay hands them over",
                       len(ids), type(exc).__name__)
        db.session.execute(update(Notification).where(Notification.id.in_(ids)).values(relayed_at=None))
        db.session.commit()
        return 0
    return len(ids)


def relay_due(*, now: datetime | None = None) -> int:
    """Hand every due notification to the worker, batch by batch; how many were handed over."""
    when = moment(now)
    total = 0
    while taken := _take(when):
        sent = _publish(taken, per_task=PER_TASK)
        total += sent
        if sent < len(taken):
            break
    return total


def hand_over(notifications: Sequence[Notification]) -> None:
    """Straight after a commit: publish the change's notifications that are due now. Never raises.

    The outbox stamped them as handed over in the change's own transaction, so no
    second transaction is needed here. If the broker does not take them, they are
    un-stamped and the next beat relay hands them over; if this process dies
    before publishing, they wait one lease (NOTIFY_LEASE_SECONDS) for the relay.
    """
    ids = [notification.id for notification in notifications if notification.relayed_at is not None]
    if ids:
        _publish(ids)
