"""What each notification sends: rendered when it is sent, from the records as they are then.

Every email is plain text and HTML from ``templates/email/``, in the clinic's
local time with the zone named, with the clinic's phone and, for patients,
the manage link under PUBLIC_BASE_URL. No screening answer or other health
detail goes into any of them; therapists see patients' initials only.
The kind's entry (``kinds``) says what the message is made from and whom it goes
to; its maker (``drafts``) says what it says, or raises ``drafts.NotOwed`` with
the reason when the notification is no longer owed.

Every patient email names the clinic and carries a "Stop reminders" link; a reminder carries it in
the RFC 8058 headers too (``List-Unsubscribe``, one click), so a mail client can offer it. A kind that is
not transactional (its entry names a consent purpose) is not owed ("no consent") unless its patient has a
live consent of that purpose (``booking.services.privacy.consent``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, render_template

from booking.clinic.calendar import ics_for
from booking.clinic.settings import clinic_settings
from booking.models import Notification
from booking.notifications.channels import Attachment, Outgoing
from booking.notifications.drafts import MAKERS, Draft, NotOwed
from booking.notifications.kinds import KINDS, KindEntry, templates
from booking.services.privacy import consent


def message_id(notification: Notification) -> str:
    """A Message-ID derived from the notification's key: the same for every attempt, so a re-send is recognisable."""
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:40]
    domain = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<{digest}@{domain}>"


def render(notification: Notification, now: datetime) -> Outgoing:
    """The message a notification sends now; raises ``drafts.NotOwed`` when it is no longer owed.

    A kind this code does not know fails the attempt (a KeyError: see ``delivery``).
    """
    entry = KINDS[notification.kind]
    draft = MAKERS[entry.about, entry.recipient](notification, entry, now)
    _check_consent(entry, draft)
    attachments: tuple[Attachment, ...] = ()
    if entry.calendar and draft.calendar:
        ics = ics_for(draft.calendar, method=entry.calendar.method, now=now)
        attachments = (Attachment(entry.calendar.filename, f"text/calendar; method={entry.calendar.method}", ics),)
    # The settings read once: the templates' global ``clinic`` would read them again at each use (a dozen a message).
    settings = clinic_settings()
    context = {**draft.context, "notification": notification, "config": current_app.config, "clinic": settings,
               "stop_reminders_url": draft.stop_reminders_url}
    text, html = templates(notification.kind)
    return Outgoing(to=draft.to, subject=f"{draft.subject} – {settings.name}",
                    text=render_template(text, **context), html=render_template(html, **context),
                    message_id=message_id(notification), attachments=attachments, reply_to=draft.reply_to,
                    list_unsubscribe=draft.stop_reminders_url if entry.reminder else None)


def _check_consent(entry: KindEntry, draft: Draft) -> None:
    """Raise NotOwed ("no consent") for a kind that needs consent when its patient has none live."""
    if entry.consent is not None and (draft.patient is None or not consent.live(draft.patient, entry.consent)):
        raise NotOwed("no consent")
