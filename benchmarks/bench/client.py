"""An HTTP client on loopback with keep-alive, as the load phases use it."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlencode

# A kept-alive connection the server closed while idle (gunicorn's --keep-alive timeout) fails
# like this when the next request is sent on it; the request never reached the app.
STALE_CONNECTION = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


class Client:
    """One HTTP client on loopback, keeping the connection alive when the server allows it, and the
    cookies the server set (as a browser does; ``cookies.clear()`` starts a new visitor).

    A request that fails because a reused connection had been closed by the server while idle
    is sent once more on a new connection (``retries`` counts them), as HTTP clients do.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.reused = False  # whether the open connection already carried a response
        self.retries = 0
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, body: dict[str, Any] | None = None, *,
             form: dict[str, str] | None = None, accept: str = "application/json") -> tuple[int, bytes]:
        """Send one request, with a JSON ``body`` or a ``form``; answer its status and body."""
        headers = {"Accept": accept}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            payload = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except STALE_CONNECTION:
                self.conn.close()
                if not self.reused or attempt == 2:
                    raise
                self.reused = False
                self.retries += 1
                continue
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.reused = False
                raise
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            if response.will_close:
                self.conn.close()
                self.reused = False
            else:
                self.reused = True
            return response.status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def fetch_json(port: int, method: str, path: str, body: dict[str, Any] | None = None,
               expect: int = 200) -> Any:
    """One request on a new connection; its JSON answer, which must have status ``expect``."""
    client = Client(port)
    try:
        status, data = client.send(method, path, body)
    finally:
        client.close()
    if status != expect:
        raise RuntimeError(f"{method} {path} answered {status}: {data[:500]!r}")
    return json.loads(data)
