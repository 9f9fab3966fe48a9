"""Template filters: phone links, times in the clinic's zone (Canadian style: "9:30 a.m."), prices, services."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask

from booking.clinic import clinic_zone
from booking.models import Service


def tel(phone: str) -> str:
    """Return a phone number as a tel: link target (digits and a leading +)."""
    return re.sub(r"[^\d+]", "", phone)


def local_time(moment: datetime, fmt: str = "%A %B %-d, %Y at %-I:%M %p %Z") -> str:
    """Show an aware datetime in the clinic's zone, with the zone named; ``%p`` is "a.m." or "p.m." (en-CA)."""
    local = moment.astimezone(clinic_zone())
    return local.strftime(fmt.replace("%p", "a.m." if local.hour < 12 else "p.m."))


def price(cents: int) -> str:
    """A price in dollars, like $1,150.00."""
    return f"${cents / 100:,.2f}"


def service_title(service: Service) -> str:
    """The service's name with its length, unless the name already says it."""
    length = f"{service.duration_minutes} minutes"
    return service.name if length in service.name else f"{service.name} ({length})"


def register(app: Flask) -> None:
    """Install the filters."""
    app.jinja_env.filters["tel"] = tel
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["price"] = price
    app.jinja_env.filters["service_title"] = service_title
