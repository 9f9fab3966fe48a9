"""Looking after the outbox: the notifications still owed or failed, and retrying one."""

from __future__ import annotations

from sqlalchemy import select

from booking.extensions import db
from booking.models import Notification, NotificationStatus
from booking.notifications import delivery, relay
from booking.services.clock import moment

UNFINISHED = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.FAILED)


def unfinished() -> list[Notification]:
    """The notifications pending, being sent or failed, failed first, then by due time."""
    failed_first = Notification.status != NotificationStatus.FAILED
    return list(db.session.scalars(select(Notification).where(Notification.status.in_(UNFINISHED))
                                   .order_by(failed_first, Notification.due_at, Notification.id)))


def retry(notification_id: int) -> Notification | None:
    """Make a failed (or waiting) notification due now with a fresh count of attempts; None if there is none.

    A notification already sent or skipped is left as it is, and so is one a worker is sending
    right now (its claim has not run out): retrying it could send it twice.
    """
    now = moment()
    notification = db.session.get(Notification, notification_id, with_for_update=True)
    if notification is None or notification.status not in UNFINISHED or \
            (notification.status == NotificationStatus.SENDING and not delivery.claimable(notification, now)):
        db.session.rollback()
        return None
    notification.status = NotificationStatus.PENDING
    notification.due_at = now
    notification.attempts = 0
    notification.claimed_until = None
    notification.relayed_at = notification.due_at  # handed over just below
    db.session.commit()
    relay.hand_over([notification])
    return notification
