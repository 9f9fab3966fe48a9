"""gunicorn settings: two workers on port 8000, and an access log of method, route, status and time.

The access line shows the path without its query string; booking.logs, installed
in the master when gunicorn starts (so in every worker it forks), turns manage
tokens and screening ids in it into placeholders (``"GET /book/manage/<token>" 200 12ms``)
and escapes control characters, so that a path with ``%0A`` stays on its line. The
remote address, referrer and user agent are left out: they identify a person, not a request.
"""

bind = "0.0.0.0:8000"
workers = 2
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(M)sms'


def on_starting(server: object) -> None:
    """Redact and escape every log line of gunicorn's, from its first (the same as the app's lines).

    This imports booking.logs alone: the package imports the app only when create_app runs, in each worker.
    """
    from booking import logs

    logs.install()
