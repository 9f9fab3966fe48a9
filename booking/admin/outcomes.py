"""The clinic's outcomes as a CSV file, for its own audit: every plan's scores, no names (admins only)."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_login import current_user

from booking import policy
from booking.admin import bp
from booking.services.care_plans.export import COLUMNS, outcome_rows
from booking.staff.access import staff_required


@bp.route("/outcomes.csv")
@staff_required(policy.may_export_outcomes)
def outcomes_csv() -> Response:
    """Download every plan's outcome measures: plan (an opaque number), measure, item, session, date, score."""
    rows = outcome_rows(current_user)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return Response(text.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="outcomes.csv"'})
