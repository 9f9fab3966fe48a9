"""The contact-message inbox, for admins: messages not yet handled first, newest first; read one, mark it handled."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.database import get_or_none
from booking.extensions import db
from booking.forms import ClinicForm
from booking.models import ContactMessage
from booking.services import audit, contact
from booking.staff.access import staff_required

PAGE_SIZE = 50


class HandledForm(ClinicForm):
    """Marking a message handled: a button and its CSRF token."""


def _page_number() -> int:
    """The page asked for (1 for anything that is not a page number)."""
    value = request.args.get("page", "")
    return int(value) if value.isdigit() and 0 < len(value) < 6 and int(value) > 0 else 1


def _message_or_404(message_id: int) -> ContactMessage:
    """The message with this id, or a 404 page."""
    message = get_or_none(ContactMessage, message_id)
    return message if message is not None else abort(404)


@bp.route("/inbox")
@staff_required(policy.may_see_patients)
def inbox() -> str:
    """The messages, those not handled first, each group newest first, a page at a time."""
    number = _page_number()
    rows = list(db.session.scalars(
        select(ContactMessage)
        .order_by(ContactMessage.handled_at.is_not(None), ContactMessage.created_at.desc(), ContactMessage.id.desc())
        .limit(PAGE_SIZE + 1).offset((number - 1) * PAGE_SIZE)))
    return render_template("admin/inbox.html", messages=rows[:PAGE_SIZE], number=number,
                           has_next=len(rows) > PAGE_SIZE)


@bp.route("/inbox/<int:message_id>")
@staff_required(policy.may_see_patients)
def inbox_message(message_id: int) -> str:
    """One message in full, with the button to mark it handled; audited, as it may speak of someone's health."""
    message = _message_or_404(message_id)
    audit.viewed("contact_message", message.id)
    return render_template("admin/inbox_message.html", message=message, form=HandledForm())


@bp.route("/inbox/<int:message_id>/handled", methods=["POST"])
@staff_required(policy.may_see_patients)
def mark_handled(message_id: int) -> Response:
    """Mark the message handled by the signed-in admin (once: the first who handled it stays)."""
    message = _message_or_404(message_id)
    if HandledForm().validate_on_submit() and contact.mark_handled(message, current_user):
        flash("The message is marked handled.")
    return redirect(url_for(".inbox"), code=303)
