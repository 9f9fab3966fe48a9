"""The waitlist's two links: a place on the list (to see or leave it) and an offer of a time (to claim it).

Each token is derived with the clinic's secret from a random id (``derive_token``, as a visit's manage link),
so a link can be written again into an email; only its SHA-256 is stored (``token_hash``), and a presented
token is looked up by that hash and compared in constant time.
"""

from __future__ import annotations

import hmac
from typing import TypeVar

from flask import current_app
from sqlalchemy import select

from booking.extensions import db
from booking.models import WaitlistEntry, WaitlistOffer
from booking.services.visits.tokens import derive_token, token_hash

Row = TypeVar("Row", WaitlistEntry, WaitlistOffer)


def entry_token(entry: WaitlistEntry) -> str:
    """The secret of the entry's link (its place on the list), derived from its random ``link_id``."""
    return derive_token("waitlist", entry.link_id)


def offer_token(offer: WaitlistOffer) -> str:
    """The secret of the offer's claim link, derived from its random id."""
    return derive_token("waitlist-offer", offer.id)


def entry_url(entry: WaitlistEntry) -> str:
    """The absolute link to the entry's place (``/waitlist/<token>``), under PUBLIC_BASE_URL."""
    return _public(f"waitlist/{entry_token(entry)}")


def offer_url(offer: WaitlistOffer) -> str:
    """The absolute claim link of the offer (``/waitlist/offers/<token>``), under PUBLIC_BASE_URL."""
    return _public(f"waitlist/offers/{offer_token(offer)}")


def _public(path: str) -> str:
    """A path under PUBLIC_BASE_URL (never the request's host: see ``booking.clinic.links``)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/{path}"


def find_entry(token: str) -> WaitlistEntry | None:
    """The entry this token opens; None for any other token."""
    return _find(WaitlistEntry, token)


def find_offer(token: str) -> WaitlistOffer | None:
    """The offer this token opens; None for any other token."""
    return _find(WaitlistOffer, token)


def _find(model: type[Row], token: str) -> Row | None:
    """The row of ``model`` whose stored hash is the token's, compared in constant time."""
    if not token:
        return None
    presented = token_hash(token)
    row = db.session.scalar(select(model).where(model.token_hash == presented))
    return row if row is not None and hmac.compare_digest(row.token_hash, presented) else None
