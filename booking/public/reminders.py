"""Stopping reminders with one click, from the link every patient email carries; no sign-in.

``GET`` shows one button and changes nothing (a mail scanner that opens links stops nothing); ``POST`` stops them
(``booking.services.privacy.reminders``). A mail client's one-click stop (RFC 8058) POSTs
``List-Unsubscribe=One-Click`` to the same address without cookies or a form's CSRF token: the token in the path
is what proves the link is the patient's, so the page takes no CSRF token (``booking.register_blueprints``
exempts it), and answers the POST with the page
itself (no redirect, which such a client would not follow). An unknown token answers 404.
"""

from __future__ import annotations

import uuid

from flask import abort, render_template, request

from booking.extensions import limiter
from booking.models import Patient
from booking.public import bp
from booking.security import booking_limit, read_limit
from booking.services.privacy import reminders


def _patient_or_404(record_id: uuid.UUID, token: str) -> Patient:
    """The patient whose email carried this link, or a 404 page."""
    return reminders.patient_for(record_id, token) or abort(404)


@bp.route("/stop-reminders/<uuid:record_id>/<token>", methods=["GET", "POST"])
@limiter.limit(read_limit)
@limiter.limit(booking_limit, methods=["POST"])
def stop_reminders(record_id: uuid.UUID, token: str) -> str:
    """One button that stops the patient's reminders; pressing it (or a mail client's one click) stops them."""
    patient = _patient_or_404(record_id, token)
    if request.method == "POST":
        reminders.stop(patient)
    return render_template("public/stop_reminders.html", stopped=patient.reminders_stopped_at,
                           action=request.path)
