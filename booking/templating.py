"""Template filters: phone links and times in the clinic's zone."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask

from booking.clinic import clinic_zone


def tel(phone: str) -> str:
    """Return a phone number as a tel: link target (digits and a leading +)."""
    return re.sub(r"[^\d+]", "", phone)


def local_time(moment: datetime, fmt: str = "%A %B %-d, %Y at %-I:%M %p %Z") -> str:
    """Show an aware datetime in the clinic's zone, with the zone named."""
    return moment.astimezone(clinic_zone()).strftime(fmt)


def register(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["tel"] = tel
    app.jinja_env.filters["local_time"] = local_time
