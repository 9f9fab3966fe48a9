"""One real Celery worker process for the notifications benchmark, and its queue on Redis."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from bench.common import ROOT, VENV_BIN
from bench.database import app_environment

# The Redis transport's bookkeeping of the messages taken and not yet acknowledged, shared by every
# queue of a Redis database: a hash (delivery tag: message, exchange, routing key) and its index.
UNACKED, UNACKED_INDEX = "unacked", "unacked_index"


def worker_environment(url: str, redis_url: str, smtp_port: int, instance: Path, queue: str) -> dict[str, str]:
    """The settings the worker and the in-process app share: our database, broker, queue and SMTP server."""
    env = app_environment(url)
    for name in ("CELERY_BROKER_URL", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_USE_SSL"):
        env.pop(name, None)
    env.update(REDIS_URL=redis_url, CELERY_QUEUE=queue, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port),
               PUBLIC_BASE_URL="https://book.bench.example", INSTANCE_PATH=str(instance))
    return env


class Worker:
    """``celery -A worker.celery_app worker --loglevel INFO --concurrency N -I bench.noop`` (production's
    command, with the benchmark's no-op task and a node name of its own), its log in a file."""

    def __init__(self, env: dict[str, str], log_path: Path, control: Any, *, concurrency: int = 2,
                 extra: tuple[str, ...] = ()) -> None:
        # The benchmark's own modules (bench.noop) are importable by the worker, and only by it.
        self.env = {**env, "PYTHONPATH": f"{ROOT / 'benchmarks'}"}
        self.node = f"bench-{uuid.uuid4().hex[:8]}@localhost"
        self.control = control  # the Celery app's remote control, on the worker's broker
        self.command = [str(VENV_BIN / "celery"), "-A", "worker.celery_app", "worker", "--loglevel", "INFO",
                        "--concurrency", str(concurrency), "-n", self.node, "-I", "bench.noop", *extra]
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the worker (it consumes once it has started: ``wait_ready``, or a queue that drains, tells)."""
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the worker answers a ping over the broker: it then consumes.

        A ping, not a line of its log: what the worker logs, and at which level, may change."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            if self.control.ping(destination=[self.node], timeout=0.2):
                return
        raise RuntimeError(f"the worker did not answer a ping in {timeout:.0f} s:\n{self.log_tail()}")

    def check(self) -> None:
        """Raise if the worker has exited."""
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the worker exited ({self.process.returncode}):\n{self.log_tail()}")

    def stop(self) -> None:
        """Warm shutdown (SIGTERM: finish the tasks in hand); kill it after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def pid(self) -> int | None:
        """The worker's main process id (its pool's children have it as parent)."""
        return self.process.pid if self.process else None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the worker's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Queue:
    """The benchmark's queue on the machine's Redis: its length, waiting for it to drain, clearing it."""

    def __init__(self, url: str, name: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.name = name

    def waiting(self) -> int:
        """Messages in the queue not yet taken by a worker."""
        return int(self.client.llen(self.name))

    def unacked(self) -> list[bytes]:
        """The delivery tags of this queue's messages a worker has taken but not yet acknowledged.

        The Redis transport keeps them in one hash for every queue of the database, which another
        benchmark's worker may be using meanwhile: each entry names its routing key, the queue's name."""
        return [tag for tag, entry in self.client.hgetall(UNACKED).items() if json.loads(entry)[2] == self.name]

    def first_taken(self, total: int, timeout: float, alive: Callable[[], None], poll: float = 0.005) -> float:
        """Wait until a worker takes the first of the ``total`` messages in the queue; when (time.time()).
        ``alive`` raises if the worker has exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.waiting() < total:
                return time.time()
            alive()
            time.sleep(poll)
        raise RuntimeError(f"no worker took a message in {timeout:.0f} s")

    def drained(self, timeout: float, poll: float = 0.005) -> float:
        """Wait until the queue is empty and every message taken is acknowledged; when (time.time())."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.waiting() == 0 and not self.unacked():
                return time.time()
            time.sleep(poll)
        raise RuntimeError(f"the queue did not drain in {timeout:.0f} s ({self.waiting()} still waiting)")

    def clear(self) -> None:
        """Remove the queue, its bindings and its unacknowledged messages from the Redis database (and
        nothing of another queue's: another benchmark may be running)."""
        tags = self.unacked()
        if tags:
            self.client.hdel(UNACKED, *tags)
            self.client.zrem(UNACKED_INDEX, *tags)
        self.client.delete(self.name, *self.client.scan_iter(match=f"_kombu.binding*{self.name}*"))
