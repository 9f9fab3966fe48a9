"""The clinic's public pages: home, contact, health check.

Wired as every blueprint package is: ``bp`` is made here, each module listed below adds its pages to it (importing
them is what mounts them), and ``booking.register_blueprints`` registers ``bp``.
"""

from flask import Blueprint

bp = Blueprint("public", __name__)

# After bp, which each of them uses.
from booking.public import questionnaires as questionnaires
from booking.public import reminders as reminders
from booking.public import views as views
from booking.public import waitlist as waitlist
from booking.public import waitlist_offers as waitlist_offers
