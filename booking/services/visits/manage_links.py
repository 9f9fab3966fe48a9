"""'Manage my booking': email the links of an address's upcoming visits to that address only."""

from __future__ import annotations

from booking import outbox
from booking.clinic.clock import moment
from booking.clinic.validators import normalise_email
from booking.extensions import db
from booking.outbox import relay


def send_manage_links(email: str) -> None:
    """Owe the address an email with its upcoming visits' manage links (none is sent if it has none).

    Whether the address has visits is decided only when the email is sent, by the
    worker, so the page that asked answers the same for every address.
    """
    notice = outbox.for_manage_links(normalise_email(email), now=moment())
    db.session.commit()
    relay.hand_over([notice])
