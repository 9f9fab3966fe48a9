"""The admins' page for the clinic's settings: name, contact details, opening hours, booking rules, the waitlist,
and privacy (how long records are kept, how soon a request is answered).

New opening hours that would leave booked visits outside them are refused (409) with those visits
listed, so that the patients are called first; nothing is changed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.admin.settings_form import SettingsForm, questionnaire_time, reminder_minutes
from booking.clinic.settings import WEEKDAYS, clinic_settings
from booking.forms import required
from booking.services.clinic_hours import PRIVACY_SETTINGS, save_settings
from booking.services.therapists.hours import HoursConflict
from booking.staff.access import staff_required


@bp.route("/settings", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def settings() -> str | Response | tuple[str, int]:
    """Show and save the clinic's settings; the home page and the slots offered follow at once."""
    form = SettingsForm(data=SettingsForm.initial(clinic_settings())) if request.method == "GET" else SettingsForm()
    if form.validate_on_submit():
        try:
            changed = save_settings(
                current_user, name=form.name.data, phone=form.phone.data, address=form.address.data,
                opening_hours=form.opening_hours(), cancel_cutoff_hours=form.cancel_cutoff_hours.data,
                min_notice_minutes=form.min_notice_minutes.data,
                reminder_offsets_minutes=reminder_minutes(required(form.reminder_offsets.data)),
                visit_instructions=form.visit_instructions.data or "",
                questionnaire_time=questionnaire_time(required(form.questionnaire_time.data)),
                flag_after_sessions=form.flag_after_sessions.data,
                waitlist_offers_at_once=form.waitlist_offers_at_once.data,
                waitlist_claim_minutes=form.waitlist_claim_minutes.data,
                **{key: form[key].data for key in PRIVACY_SETTINGS})
        except HoursConflict as conflict:
            return render_template("admin/settings.html", form=form, weekdays=WEEKDAYS,
                                   stranded=conflict.visits), 409
        flash(f"Saved: {', '.join(changed)}." if changed else "Nothing was changed.")
        return redirect(url_for(".settings"), code=303)
    return render_template("admin/settings.html", form=form, weekdays=WEEKDAYS)
