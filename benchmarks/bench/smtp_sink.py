"""A local SMTP sink for the notifications benchmark: aiosmtpd on a free port that accepts at once.

It parses nothing but the Message-ID header, and records when each message was
accepted (the moment its DATA is answered 250), so that duplicates and losses
are counted by Message-ID and a confirmation's latency runs to the acceptance.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller

from bench.server import free_port

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


class _Handler:
    """Accept every message; note its Message-ID and the time."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record the message's Message-ID (headers only) and accept it."""
        header_end = envelope.content.find(b"\r\n\r\n")
        found = MESSAGE_ID.search(envelope.content, 0, header_end if header_end > 0 else len(envelope.content))
        self.sink.record(found.group(1).decode() if found else "(no Message-ID)", session.peer)
        return "250 OK"


class SmtpSink:
    """A running aiosmtpd server that keeps (Message-ID, accepted at) of everything it accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted: list[tuple[str, float]] = []  # (Message-ID, time.time() at acceptance)
        self.connections: set[tuple[str, int]] = set()
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def record(self, message_id: str, peer: tuple[str, int]) -> None:
        """Note one accepted message."""
        with self.lock:
            self.accepted.append((message_id, time.time()))
            self.connections.add(peer)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()

    def count(self) -> int:
        """Messages accepted so far."""
        return len(self.accepted)

    def since(self, index: int) -> list[tuple[str, float]]:
        """The messages accepted after the first ``index``."""
        with self.lock:
            return self.accepted[index:]

    def first_acceptance(self, message_id: str, start: int = 0) -> float | None:
        """When a Message-ID was first accepted (looking from position ``start``), or None."""
        return next((at for found, at in self.since(start) if found == message_id), None)

    def tally(self, expected: set[str], start: int = 0) -> tuple[int, int, int]:
        """(duplicates, losses, strangers) among the messages accepted after ``start``: Message-IDs
        accepted more than once (each extra copy counts), expected ones never accepted, unexpected ones."""
        counts = Counter(message_id for message_id, _ in self.since(start))
        duplicates = sum(n - 1 for message_id, n in counts.items() if n > 1)
        losses = len(expected - counts.keys())
        strangers = sum(n for message_id, n in counts.items() if message_id not in expected)
        return duplicates, losses, strangers
