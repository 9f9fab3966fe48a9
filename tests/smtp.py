"""A real SMTP server for the tests (aiosmtpd on a free port) that keeps what it accepts.

It can refuse recipients with a given reply (``refuse``), or hold every
session at RCPT until released (``stall``), to stop a worker mid-batch
before any message in flight is accepted.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """The server's state: accepted messages, replies to give, and the stall switch."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.replies: list[str] = []
        self.stall = threading.Event()
        self.stalled = 0
        self.lock = threading.Lock()

    def refuse(self, *replies: str) -> None:
        """Answer the next recipients with these replies ("421 ...", "550 ..."), one each."""
        with self.lock:
            self.replies.extend(replies)

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """Wait until at least ``count`` messages were accepted; them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The accepted messages addressed to ``address``."""
        return [message for message in self.messages if message["To"] == address]


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self.sink.lock:
            reply = self.sink.replies.pop(0) if self.sink.replies else None
        if reply:
            return reply
        if self.sink.stall.is_set():
            self.sink.stalled += 1
            while self.sink.stall.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A running aiosmtpd server with its sink."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(_Handler(self.sink), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.sink.stall.clear()
        self.controller.stop()

    def settings(self) -> dict[str, object]:
        """The app settings that send mail to this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}
