"""Real processes for the worker tests: celery workers and beat, a throwaway redis-server.

Each process runs in a session (process group) of its own and is stopped by
signalling that group, by its own pid, and nothing else: the machine's Redis
and PostgreSQL are never touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import redis

from tests.smtp import SmtpServer, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Short enough that retries, leases and the beat relay happen within a test.
TIMINGS = {"NOTIFY_LEASE_SECONDS": 3, "NOTIFY_RETRY_SECONDS": 1, "OUTBOX_RELAY_SECONDS": 1}
# What each prints once it is up (beat logs warnings only: its banner).
READY = {"worker": "worker ready; broker:", "beat": "celery beat v"}


def eventually(check: Callable[[], object], timeout: float = 20, message: str = "") -> object:
    """Poll ``check`` until it returns something true; that value. Fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not so after {timeout} s: {message}")
        time.sleep(0.05)
    return value


class Process:
    """A process of its own group, its output kept in a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Wait until the process prints ``text``; fails, with its output, if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not print {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the process and its children (its group), at once."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def terminate(self) -> None:
        """Ask the process group to stop (SIGTERM)."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)

    def stop(self, grace: float = 3) -> None:
        """Stop the process group: SIGTERM, then SIGKILL if it lingers (the tests need no orderly goodbye)."""
        self.terminate()
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()


class ThrowawayRedis:
    """A redis-server of the test's own on a free port, with no persistence; started when asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.folder)]
        self.process = Process(f"redis-{self.port}", args, {"PATH": os.environ["PATH"]}, self.folder)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        eventually(lambda: _answers(client), 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Stop this server (only this one)."""
        if self.process is not None:
            self.process.stop()


def _answers(client: redis.Redis) -> bool:
    """Whether the Redis server answers a PING."""
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class Stack:
    """The parts a worker works with: a broker and a queue, an SMTP server, a database, a folder for output."""

    broker_url: str | None  # None: the embedded broker under the folder
    queue: str
    smtp: SmtpServer | None  # None: mail written under the folder
    database_url: str
    folder: Path
    broker: ThrowawayRedis | None = None  # a throwaway redis-server, for the fault tests

    def settings(self) -> dict[str, object]:
        """The app settings of a web app that publishes to this stack's worker."""
        mail = self.smtp.settings() if self.smtp else {}
        return {"REDIS_URL": self.broker_url, "CELERY_QUEUE": self.queue, **mail, **TIMINGS}

    def environment(self, **changes: object) -> dict[str, str]:
        """A worker's whole environment (none of the developer's), with ``changes`` (None removes a setting)."""
        values = {"DATABASE_URL": self.database_url, "SECRET_KEY": "test-secret",
                  "PUBLIC_BASE_URL": "http://localhost", "INSTANCE_PATH": str(self.folder), **self.settings(),
                  **changes}
        return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
                **{key: str(value) for key, value in values.items() if value is not None}}


@dataclass
class Launcher:
    """Starts workers and beats on a stack and stops every one it started."""

    stack: Stack
    started: list[Process] = field(default_factory=list)

    def _start(self, kind: str, name: str, arguments: list[str], clock: datetime | None,
               changes: dict[str, object]) -> Process:
        """Start ``celery -A worker.celery_app <kind>`` (on a moved clock if given) and wait until it is ready."""
        runner = ["-m", "tests.worker.shifted", clock.isoformat()] if clock else ["-m", "celery"]
        args = [sys.executable, *runner, "-A", "worker.celery_app", kind, "--loglevel", "INFO", *arguments]
        process = Process(name, args, self.stack.environment(**changes), self.stack.folder)
        self.started.append(process)
        process.wait_for(READY[kind])
        return process

    def worker(self, name: str = "worker", *, clock: datetime | None = None, **changes: object) -> Process:
        """A real worker (concurrency 2) consuming the stack's queue, or the CELERY_QUEUE given in ``changes``."""
        node = f"{name}-{self.stack.queue}@%h"
        return self._start("worker", name, ["--concurrency", "2", "--without-mingle", "--without-gossip", "-n", node],
                           clock, changes)

    def beat(self, **changes: object) -> Process:
        """A real scheduler, relaying every OUTBOX_RELAY_SECONDS."""
        schedule = self.stack.folder / f"beat-schedule-{len(self.started)}"
        return self._start("beat", "beat", ["--schedule", str(schedule)], None, changes)

    def stop_all(self) -> None:
        """Stop every process started here (all asked at once, then each waited for)."""
        for process in self.started:
            process.terminate()
        for process in self.started:
            process.stop()
        self.started.clear()


@contextmanager
def throwaway_stack(database_url: str, folder: Path, name: str) -> Iterator[Stack]:
    """A stack on a redis-server of its own (not started yet: the broker is down) and an SMTP server of its own,
    its queue named ``name`` and a random suffix; the server stopped afterwards (only this one)."""
    broker = ThrowawayRedis(folder)
    try:
        with SmtpServer() as smtp:
            yield Stack(broker.url, f"{name}-{uuid.uuid4().hex[:8]}", smtp, database_url, folder, broker)
    finally:
        broker.stop()
