"""The screening in the patient flow: questions, then the recommendation, under /screening.

Wired as every blueprint package is: ``bp`` is made here, each module listed below adds its pages to it (importing
them is what mounts them), and ``booking.register_blueprints`` registers ``bp``.
"""

from flask import Blueprint

bp = Blueprint("screening", __name__, url_prefix="/screening")

# After bp, which each of them uses.
from booking.screening import views as views
