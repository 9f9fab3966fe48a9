"""The JSON API, version 1, under /api/v1.

Wired as every blueprint package is: ``bp`` is made here, each module listed below adds its endpoints (and the
error handlers of what it raises) to it (importing them is what mounts them), and ``booking.register_blueprints``
registers ``bp``.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# After bp, which each of them uses.
from booking.api import appointments as appointments
from booking.api import body as body
from booking.api import catalog as catalog
from booking.api import openapi as openapi
from booking.api import screenings as screenings
