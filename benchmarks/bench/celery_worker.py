"""One real Celery worker process for the notifications benchmark, and its queue on Redis."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import redis

from bench.common import ROOT, VENV_BIN

READY_LINE = "worker ready; broker:"


class Worker:
    """``celery -A worker.celery_app worker --concurrency N -I bench.noop``, its log in a file."""

    def __init__(self, env: dict[str, str], log_path: Path, *, concurrency: int = 2,
                 extra: tuple[str, ...] = ()) -> None:
        # The benchmark's own modules (bench.noop) are importable by the worker, and only by it.
        self.env = {**env, "PYTHONPATH": f"{ROOT / 'benchmarks'}"}
        self.command = [str(VENV_BIN / "celery"), "-A", "worker.celery_app", "worker", "--concurrency",
                        str(concurrency), "--loglevel", "WARNING", "-I", "bench.noop", *extra]
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start the worker and wait for its startup line (it then consumes)."""
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.process.returncode}):\n{self.log_tail()}")
            if READY_LINE in self.log_path.read_text(errors="replace")[offset:]:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the worker did not start in {timeout:.0f} s:\n{self.log_tail()}")

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

    def unacked(self) -> int:
        """Messages a worker has taken but not yet acknowledged (the Redis transport's bookkeeping)."""
        return int(self.client.hlen("unacked"))

    def drain_times(self, total: int, timeout: float, poll: float = 0.005) -> tuple[float, float]:
        """Wait while a worker empties a queue of ``total`` messages; (first taken, all acknowledged),
        as time.time() values. The first is when the queue first held fewer than ``total``."""
        deadline = time.monotonic() + timeout
        first = 0.0
        while time.monotonic() < deadline:
            waiting = self.waiting()
            now = time.time()
            if not first and waiting < total:
                first = now
            if first and waiting == 0 and self.unacked() == 0:
                return first, now
            time.sleep(poll)
        raise RuntimeError(f"the queue did not drain in {timeout:.0f} s ({self.waiting()} still waiting)")

    def clear(self) -> None:
        """Remove the queue and the transport's keys from the benchmark's Redis database."""
        keys = [self.name, "unacked", "unacked_index", "unacked_mutex", "_kombu.binding_deadlines",
                *self.client.scan_iter(match=f"_kombu.binding*{self.name}*")]
        self.client.delete(*keys)
