"""Looking after the outbox: the notifications still owed or failed (the failed alone, for the admins' today page),
and retrying a failed one.

Only a failed notification can be retried. One still waiting is sent when it is due (a reminder a
day before its visit, not when someone presses a button), and one being sent is the worker's. A retry is made
for an admin the policy lets run the clinic (``booking.policy``), or for the clinic's command line.
"""

from __future__ import annotations

from sqlalchemy import select

from booking.clinic.clock import moment
from booking.database import get_or_none
from booking.extensions import db
from booking.models import Notification, NotificationStatus, StaffUser
from booking.outbox import relay
from booking.policy import require_run_the_clinic

UNFINISHED = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.FAILED)


class NotRetryable(Exception):
    """The notification cannot be retried; the message says why, in plain words."""


def unfinished() -> list[Notification]:
    """The notifications pending, being sent or failed, failed first, then by due time."""
    failed_first = Notification.status != NotificationStatus.FAILED
    return list(db.session.scalars(select(Notification).where(Notification.status.in_(UNFINISHED))
                                   .order_by(failed_first, Notification.due_at, Notification.id)))


def failed(by: StaffUser, limit: int) -> list[Notification]:
    """The failed notifications, the oldest due first: at most ``limit``, and one more when more failed (one query);
    Refused for anyone the policy does not let run the clinic."""
    require_run_the_clinic(by)
    return list(db.session.scalars(select(Notification).where(Notification.status == NotificationStatus.FAILED)
                                   .order_by(Notification.due_at, Notification.id).limit(limit + 1)))


def retryable(notification: Notification) -> bool:
    """Whether an admin may retry the notification: only when it failed."""
    return notification.status == NotificationStatus.FAILED


def _refusal(notification_id: int, notification: Notification | None) -> str:
    """Why a notification that is not retryable cannot be retried."""
    if notification is None:
        return f"There is no notification number {notification_id}: there is nothing to retry."
    if notification.status in (NotificationStatus.PENDING, NotificationStatus.SENDING):
        return (f"Notification {notification_id} has not failed: it is sent when it is due, "
                "so there is nothing to retry.")
    return f"Notification {notification_id} was already {notification.status}: there is nothing to retry."


def retry(notification_id: int, *, by_staff: StaffUser | None) -> Notification:
    """Send a failed notification again with a fresh count of attempts; raises NotRetryable for any other.

    It is due again at once, or at its own due time if that is still to come: nothing is sent early.
    ``by_staff`` is the admin who asked (None: the command line); Refused when the policy does not let them
    run the clinic.
    """
    if by_staff is not None:
        require_run_the_clinic(by_staff)
    now = moment()
    notification = get_or_none(Notification, notification_id, with_for_update=True)
    if notification is None or not retryable(notification):
        db.session.rollback()
        raise NotRetryable(_refusal(notification_id, notification))
    notification.status = NotificationStatus.PENDING
    notification.due_at = max(notification.due_at, now)
    notification.attempts = 0
    notification.claimed_until = None
    notification.relayed_at = now if notification.due_at <= now else None  # handed over just below
    db.session.commit()
    relay.hand_over([notification])
    return notification
