"""gunicorn serving the app under test, or the bare app that gives the stack's ceiling."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT, VENV_BIN
from bench.machine import proc_stat


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving a WSGI target on a free loopback port, configured as production is
    (``gunicorn.conf.py``: its access log and its log redaction; the default log level)."""

    def __init__(self, env: dict[str, str], *, target: str, workers: int, worker_class: str, threads: int,
                 log_path: Path, pythonpath: str | None = None) -> None:
        self.port = free_port()
        self.command = [str(VENV_BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
                        "-b", f"127.0.0.1:{self.port}", "--timeout", "60"]
        if worker_class == "gthread":
            self.command += ["-k", "gthread", "--threads", str(threads), "--keep-alive", "5"]
        if pythonpath:
            self.command += ["--pythonpath", pythonpath]
        self.command.append(target)
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Start gunicorn and wait until it answers /healthz."""
        log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200 and len(self.worker_pids()) >= 1:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The process ids of gunicorn's workers."""
        if self.process is None:
            return []
        pids = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                stat = proc_stat(int(entry.name))
                if stat and stat[1] == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def worker_memory(self) -> list[dict[str, float]]:
        """Each worker's resident memory now, at its peak, and its proportional share (RSS counts the pages
        it shares with the master and the other workers in full; PSS divides them), in MiB."""
        found = []
        for pid in sorted(self.worker_pids()):
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines() + \
                    Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            except OSError:
                continue
            kib = {name: int(value.split()[0]) for name, _, value in (line.partition(":") for line in lines)
                   if name in ("VmRSS", "VmHWM", "Pss")}
            found.append({"pid": pid, "rss_mib": kib["VmRSS"] / 1024, "peak_mib": kib["VmHWM"] / 1024,
                          "pss_mib": kib["Pss"] / 1024})
        return found

    def logged_errors(self) -> dict[str, int]:
        """Exceptions the app logged, by class (the driver's, else the last one in each traceback)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return {}
        found: Counter = Counter()
        for block in text.split("ERROR in app: ")[1:]:
            names = re.findall(r"^([\w.]+(?:Error|Exception|Detected|Violation|Failure)): ", block, re.M)
            driver = [name for name in names if name.startswith("psycopg.")]
            if names:
                found[(driver or names)[-1]] += 1
        return dict(found)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of gunicorn's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop gunicorn gracefully (kill it after 30 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn master: graceful stop of its workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def pid(self) -> int | None:
        """The gunicorn master's process id, while started."""
        return self.process.pid if self.process else None
