"""CPU accounting per party (client, gunicorn, PostgreSQL, the rest), quiet-wait, machine and code info."""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.common import ADMIN_URL, DB_NAME, ROOT, log

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> tuple[str, int, float] | None:
    """(comm, ppid, cpu seconds) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


# The database whose PostgreSQL backends count as ours (set by count_database).
_our_database = DB_NAME


def count_database(name: str) -> None:
    """Count the PostgreSQL backends connected to database ``name`` as ours."""
    global _our_database
    _our_database = name


def _postgres_title(pid: int) -> str:
    """The process title of a postgres process ("postgres: 15/main: user db host state")."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class CpuSnapshot:
    """CPU seconds used so far: this process, and per process gunicorn's and PostgreSQL's.

    PostgreSQL counts the backends connected to the benchmark database and the server's own
    processes (WAL writer, checkpointer...); backends of other databases (other people's tests
    on this shared server) count as "other".
    """

    client: float
    server: dict[int, float]
    postgres: dict[int, float]
    machine_busy: float
    machine_total: float


def cpu_snapshot(server_pid: int | None) -> CpuSnapshot:
    """CPU seconds of this process, gunicorn's processes, our postgres processes and the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server: dict[int, float] = {}
    postgres: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = proc_stat(pid)
        if stat is None:
            continue
        comm, ppid, cpu = stat
        if server_pid is not None and (pid == server_pid or ppid == server_pid):
            server[pid] = cpu
        elif comm == "postgres" or comm.startswith("postgres:"):
            title = _postgres_title(pid)
            parts = title.split()
            # A backend's title names user and database: "postgres: 15/main: postgres bench_booking ..."
            backend = len(parts) >= 5 and parts[0] == "postgres:" and "(" in title
            if not backend or f" {_our_database} " in title:
                postgres[pid] = cpu
    busy, total = _machine_busy()
    return CpuSnapshot(usage.ru_utime + usage.ru_stime, server, postgres, busy, total)


def _delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used in between by the processes alive at the end (new ones: all of theirs)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass
class CpuShare:
    """Average cores used during a phase by each party (2.0 = both cores of this machine)."""

    client: float
    server: float
    postgres: float
    other: float
    idle: float
    wall: float = 0.0

    def ms_per(self, party: str, requests: int) -> float:
        """CPU milliseconds of one party per request."""
        return getattr(self, party) * self.wall * 1000 / requests if requests else 0.0

    def text(self) -> str:
        """The cores of each party, as one line."""
        return (f"client {self.client:.2f}, gunicorn {self.server:.2f}, postgres {self.postgres:.2f}, "
                f"other {self.other:.2f}, idle {self.idle:.2f} cores")


def cpu_share(before: CpuSnapshot, after: CpuSnapshot, wall: float) -> CpuShare:
    """The cores used by each party between two snapshots."""
    cores = os.cpu_count() or 1
    client = (after.client - before.client) / wall
    server = _delta(before.server, after.server) / wall
    postgres = _delta(before.postgres, after.postgres) / wall
    busy = (after.machine_busy - before.machine_busy) / wall
    total = (after.machine_total - before.machine_total) / wall or cores
    idle = max(0.0, total - busy)
    return CpuShare(client, server, postgres, max(0.0, busy - client - server - postgres), idle, wall)


def wait_for_quiet(server_pid: int | None, limit: float, *, threshold: float = 0.35) -> float:
    """Wait (at most ``limit`` seconds) until the rest of the machine uses under ``threshold`` cores
    over one second; answer the cores it used in the last second measured."""
    deadline = time.monotonic() + limit
    while True:
        before = cpu_snapshot(server_pid)
        time.sleep(1.0)
        share = cpu_share(before, cpu_snapshot(server_pid), 1.0)
        others = share.other + share.postgres
        if others < threshold or time.monotonic() >= deadline:
            return others
        log(f"  the machine is busy ({others:.2f} cores used by other processes); waiting")


def code_version() -> dict[str, Any]:
    """The commit, and a fingerprint of the app's sources as run (the working tree may differ)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "booking").rglob("*.py")) + sorted((ROOT / "migrations").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "booking", "migrations"], cwd=ROOT,
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        head, dirty = "?", True
    return {"commit": head, "uncommitted_app_changes": dirty, "app_sources_sha256": digest.hexdigest()[:12]}


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    memory = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    try:
        with psycopg.connect(ADMIN_URL) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        pg = "?"
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory": memory, "postgresql": pg,
            "python": platform.python_version(), "kernel": platform.release(),
            "load_average_at_start": os.getloadavg()}
