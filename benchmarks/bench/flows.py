"""The HTML booking flow, as a patient's browser goes through it after the screening: three requests.

1. ``GET /book/<screening>/times?service=&therapist=&date=``: the day's open times (the page must
   offer the time the flow books);
2. ``GET /book/<screening>/details?service=&therapist=&start=``: the details form (its CSRF token
   and idempotency key, and the session cookie that goes with the token);
3. ``POST /book/<screening>/details``: the booking; 303 to the confirmation.

A flow is one unit of a load phase (``bench.load.run_units``): its status is 303 when the visit was
booked, else the status of the first step that went wrong (with what went wrong as its body).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench.api import Booking
from bench.client import Client

CSRF_TOKEN = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
IDEMPOTENCY_KEY = re.compile(rb'name="idempotency_key" type="hidden" value="([^"]*)"')
HTML = "text/html"


def html_flow(client: Client, booking: Booking, screening_id: str, email: str, zone: ZoneInfo) -> tuple[int, bytes]:
    """Book ``booking`` through the three pages, as a new visitor (no cookie from an earlier flow)."""
    from booking.forms.visits import format_start

    client.cookies.clear()
    moment = datetime.fromisoformat(booking.starts_at)
    start = format_start(moment)
    choice = {"service": booking.service, "therapist": str(booking.therapist_id)}
    status, page = client.send("GET", f"/book/{screening_id}/times?" + urlencode(
        {**choice, "date": moment.astimezone(zone).date().isoformat()}), accept=HTML)
    if status != 200:
        return status, b"times page: " + page
    if f'value="{start}"'.encode() not in page:
        return status, f"times page: the time {start} is not offered".encode()
    status, page = client.send("GET", f"/book/{screening_id}/details?" + urlencode({**choice, "start": start}),
                               accept=HTML)
    token, key = CSRF_TOKEN.search(page), IDEMPOTENCY_KEY.search(page)
    if status != 200 or token is None or key is None:
        return status, b"details page (no CSRF token or idempotency key?): " + page
    form = {**choice, "starts_at": start, "csrf_token": token.group(1).decode(), "idempotency_key": key.group(1).decode(),
            "name": "Bench Patient", "email": email, "phone": "403-555-0142", "under_18": "no", "consent": "y"}
    status, page = client.send("POST", f"/book/{screening_id}/details", form=form, accept=HTML)
    return status, page if status == 303 else b"booking: " + page
