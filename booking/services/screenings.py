"""Screening use cases: run the routing rules on a patient's answers, store and find the result,
and keep the web flow's screenings in progress (drafts) on the server until they expire."""

from __future__ import annotations

import copy
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from booking.clinic.clock import moment
from booking.clinic.validators import parse_uuid
from booking.database import changed_rows
from booking.extensions import db
from booking.models import Screening, ScreeningDraft
from booking.routing import Caution, Reason, Recommendation, normalise_answers, recommend
from booking.routing.clinical import for_staff

# How long the answers of an unfinished web screening are kept after the patient's last step.
DRAFT_LIFETIME = timedelta(hours=2)


def create_screening(answers: Mapping[str, object], draft: str | None = None) -> Screening:
    """Store the answers (normalised: answered keys only, each code once, in the contract's order)
    with their recommendation; raises ScreeningError for invalid answers. The draft whose token
    is given, if any, is deleted in the same transaction."""
    kept = normalise_answers(answers)
    recommendation = recommend(kept)
    if draft:
        db.session.execute(delete(ScreeningDraft).where(ScreeningDraft.token_hash == _draft_key(draft)))
    screening = Screening(
        answers=kept,
        recommendation=dict(recommendation.to_dict()),
        pathway=recommendation.pathway,
        urgency=recommendation.urgency,
        rules_version=recommendation.rules_version,
    )
    db.session.add(screening)
    db.session.commit()
    return screening


def get_screening(screening_id: str | uuid.UUID) -> Screening | None:
    """Return the screening with this id, or None for an unknown or malformed id."""
    key = parse_uuid(screening_id)
    return db.session.get(Screening, key) if key else None


def recommendation_of(screening: Screening) -> Recommendation:
    """Return the stored recommendation as the routing engine's Recommendation (advice, bookable)."""
    stored = screening.recommendation
    return Recommendation(
        pathway=stored["pathway"],
        urgency=stored["urgency"],
        therapy_types=tuple(stored["therapy_types"]),
        reasons=tuple(Reason(**reason) for reason in stored["reasons"]),
        cautions=tuple(Caution(**caution) for caution in stored["cautions"]),
        preference=stored["preference"],
        rules_version=stored["rules_version"],
    )


def staff_recommendation(screening: Screening) -> Recommendation:
    """The stored recommendation as staff pages show it: its cautions in clinical words for the therapist."""
    return for_staff(recommendation_of(screening))


def _draft_key(token: str) -> str:
    """How a draft's token is stored: its SHA-256, so the table alone opens no draft."""
    return hashlib.sha256(token.encode()).hexdigest()


def _live_draft(token: str, now: datetime) -> ScreeningDraft | None:
    """The draft behind this token, unless there is none or it has expired."""
    draft = db.session.get(ScreeningDraft, _draft_key(token))
    return draft if draft is not None and draft.expires_at > now else None


def load_draft(token: str, now: datetime | None = None) -> dict[str, Any] | None:
    """What was entered so far in the draft behind this token (a copy to change freely);
    None when there is no such draft or it has expired (an expired draft counts as gone)."""
    draft = _live_draft(token, moment(now))
    return copy.deepcopy(draft.progress) if draft else None


def save_draft(token: str | None, progress: Mapping[str, Any], now: datetime | None = None) -> str:
    """Keep a screening's progress for DRAFT_LIFETIME from now and return its draft's token.

    Without a live draft for the token, a new draft is started under a new random token,
    and the expired drafts are purged on the way.
    """
    now = moment(now)
    draft = _live_draft(token, now) if token else None
    if token is None or draft is None:
        purge_expired_drafts(now)
        token = secrets.token_urlsafe(32)
        draft = ScreeningDraft(token_hash=_draft_key(token))
        db.session.add(draft)
    draft.progress = copy.deepcopy(dict(progress))
    draft.expires_at = now + DRAFT_LIFETIME
    db.session.commit()
    return token


def purge_expired_drafts(now: datetime) -> int:
    """Delete the drafts that have expired (in the caller's transaction); how many."""
    return changed_rows(delete(ScreeningDraft).where(ScreeningDraft.expires_at <= now))
