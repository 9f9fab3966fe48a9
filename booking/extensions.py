"""Extensions, created unbound; create_app binds them."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from booking.models.base import Base


class SwitchableLimiter(Limiter):
    """Flask-Limiter that does nothing at all for a view while rate limits are off (RATELIMIT_ENABLED=false).

    Flask-Limiter's decorator still looks up the view's limits, its meta limits and exemptions on every
    request when limits are off, only to find nothing to check (about 3 % of a one-day slot search). With
    limits on, nothing changes.
    """

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if self.enabled:
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
limiter = SwitchableLimiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
