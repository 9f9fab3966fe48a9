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
BATCH = 500


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


def _publish(ids: list[int]) -> int:
    """Send a deliver task per id; on a broker error, un-stamp the rest so the next relay tries at once."""
    celery = current_app.extensions["celery"]
    sent = 0
    try:
        with celery.producer_or_acquire() as producer:
            for notification_id in ids:
                celery.send_task(DELIVER_TASK, args=[notification_id], producer=producer)
                sent += 1
    except Exception as exc:  # any broker or connection error: the rows simply wait
        logger.warning("the broker did not take %s notification(s) (%s); the next relay hands them over",
                       len(ids) - sent, type(exc).__name__)
        db.session.execute(update(Notification).where(Notification.id.in_(ids[sent:])).values(relayed_at=None))
        db.session.commit()
    return sent


def relay_due(*, now: datetime | None = None) -> int:
    """Hand every due notification to the worker, batch by batch; how many were handed over."""
    when = moment(now)
    total = 0
    while taken := _take(when):
        sent = _publish(taken)
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
