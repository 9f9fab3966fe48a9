"""Booking a visit after the screening, and managing it through the secret link, under /book.

Wired as every blueprint package is: ``bp`` is made here, each module listed below adds its pages to it (importing
them is what mounts them), and ``booking.register_blueprints`` registers ``bp``.
"""

from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/book")

# After bp, which each of them uses.
from booking.appointments import find as find
from booking.appointments import pairs as pairs
from booking.appointments import views as views
from booking.appointments import waitlist as waitlist
