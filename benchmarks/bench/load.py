"""The load phases: closed-loop client threads, the contention race, and the open times they book."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bench.api import Booking, booking_body, greedy
from bench.client import Client, fetch_json
from bench.common import API, GRID, percentile
from bench.machine import CpuShare, cpu_share, cpu_snapshot
from bench.seeding import Seeded


@dataclass
class PhaseResult:
    """What one measured phase did."""

    name: str
    clients: int
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, every answered request
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    retries: int = 0  # requests sent again after the server had closed an idle kept-alive connection
    samples: list[str] = field(default_factory=list)  # bodies of unexpected answers
    cpu: CpuShare | None = None

    @property
    def requests(self) -> int:
        """Requests answered."""
        return len(self.latencies)

    @property
    def rps(self) -> float:
        """Requests answered per second."""
        return self.requests / self.wall if self.wall else 0.0

    def ms(self, fraction: float) -> float:
        """A latency percentile, in milliseconds."""
        return percentile(self.latencies, fraction) * 1000

    def per_second(self, status: int) -> float:
        """Answers with one status per second."""
        return self.statuses[status] / self.wall if self.wall else 0.0


Work = Callable[[int, random.Random], tuple[str, str, dict[str, Any] | None] | None]
# One unit of a phase (a request, or a flow of several) sent by a client: the status and body that
# stand for it (a flow's last, or its first unexpected one), or None when there is no more work.
Unit = Callable[[Client, int, random.Random], tuple[int, bytes] | None]


def run_phase(name: str, port: int, clients: int, seconds: float, work: Work, *, expect: Iterable[int],
              server_pid: int | None, max_requests: int | None = None, seed_value: int = 0) -> PhaseResult:
    """Run ``clients`` closed-loop threads for ``seconds`` (or until ``work`` answers None or
    ``max_requests`` were sent); record each request's latency and status."""

    def one_request(client: Client, index: int, rng: random.Random) -> tuple[int, bytes] | None:
        job = work(index, rng)
        return None if job is None else client.send(*job)

    return run_units(name, port, clients, seconds, one_request, expect=expect, server_pid=server_pid,
                     max_units=max_requests, seed_value=seed_value)


def run_units(name: str, port: int, clients: int, seconds: float, unit: Unit, *, expect: Iterable[int],
              server_pid: int | None, max_units: int | None = None, seed_value: int = 0) -> PhaseResult:
    """Run ``clients`` closed-loop threads for ``seconds`` (or until ``unit`` answers None or
    ``max_units`` were run); record each unit's latency and status."""
    result = PhaseResult(name, clients)
    expected = set(expect)
    lock = threading.Lock()
    sent = [0]
    start_barrier = threading.Barrier(clients + 1)
    per_thread: list[tuple[list[float], Counter, int, list[str], int]] = []

    def worker(index: int) -> None:
        rng = random.Random(seed_value * 1000 + index)
        client = Client(port)
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors = 0
        samples: list[str] = []
        start_barrier.wait()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            if max_units is not None:
                with lock:
                    if sent[0] >= max_units:
                        break
                    sent[0] += 1
            began = time.perf_counter()
            try:
                answer = unit(client, index, rng)
            except (http.client.HTTPException, OSError) as exc:
                errors += 1
                if len(samples) < 6:
                    samples.append(f"transport error: {exc!r}")
                continue
            if answer is None:
                break
            status, data = answer
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1
            if status not in expected and len(samples) < 3:
                samples.append(f"{status} {data[:300]!r}")
        client.close()
        with lock:
            per_thread.append((latencies, statuses, errors, samples, client.retries))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    before = cpu_snapshot(server_pid)
    started = time.perf_counter()
    start_barrier.wait()
    for thread in threads:
        thread.join(seconds + 60)
    result.wall = time.perf_counter() - started
    result.cpu = cpu_share(before, cpu_snapshot(server_pid), result.wall)
    for latencies, statuses, errors, samples, retries in per_thread:
        result.latencies.extend(latencies)
        result.statuses.update(statuses)
        result.transport_errors += errors
        result.retries += retries
        result.samples.extend(samples)
    return result


@dataclass
class ContentionResult:
    """What the contention phase did."""
    rounds: int
    clients: int
    winners: list[int]
    statuses: Counter
    transport_errors: int
    wall: float
    samples: list[str]
    latencies: list[float]
    retries: int


def run_contention(port: int, groups: list[list[Booking]], clients: int, screening_ids: list[str],
                   email_prefix: str) -> ContentionResult:
    """Each round, ``clients`` threads released together by a barrier each POST one booking of the
    round's group (pairwise overlapping times of one therapist): at most one may win."""
    barrier = threading.Barrier(clients)
    outcomes: list[list[int]] = [[] for _ in groups]
    lock = threading.Lock()
    errors = [0]
    samples: list[str] = []
    latencies: list[float] = []
    retries = [0]

    def worker(index: int) -> None:
        client = Client(port)
        for number, group in enumerate(groups):
            booking = group[index % len(group)]
            body = booking_body(booking, screening_ids[index % len(screening_ids)],
                                f"{email_prefix}race-{number}-{index}@example.com")
            try:
                barrier.wait(timeout=60)
                began = time.perf_counter()
                status, data = client.send("POST", f"{API}/appointments", body)
                took = time.perf_counter() - began
            except (http.client.HTTPException, OSError, threading.BrokenBarrierError) as exc:
                with lock:
                    errors[0] += 1
                    if len(samples) < 6:
                        samples.append(f"round {number}: {exc!r}")
                continue
            with lock:
                outcomes[number].append(status)
                latencies.append(took)
                if status not in (201, 409) and len(samples) < 3:
                    samples.append(f"{status} {data[:300]!r}")
        client.close()
        with lock:
            retries[0] += client.retries

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses: Counter = Counter(status for round_ in outcomes for status in round_)
    return ContentionResult(len(groups), clients, [round_.count(201) for round_ in outcomes], statuses,
                            errors[0], time.perf_counter() - started, samples, latencies, retries[0])


def prepare_bookings(port: int, seeded: Seeded, rounds: int, rng: random.Random,
                     ) -> tuple[list[Booking], list[list[Booking]]]:
    """Open times from the slots API (shortest service of each therapist's type, whole period):
    ``rounds`` contention groups (starts s and s+15 min of one therapist) and, apart from them,
    a shuffled list of bookings none of which overlaps another."""
    open_by_therapist: dict[int, list[dict[str, Any]]] = {}
    for therapist, kind in sorted(seeded.therapists.items()):
        code = seeded.shortest(kind)
        slots: list[dict[str, Any]] = []
        first = seeded.first_day
        while first <= seeded.last_day:
            last = min(first + timedelta(days=30), seeded.last_day)
            slots += fetch_json(port, "GET", f"{API}/slots?" + urlencode(
                {"service": code, "from": first.isoformat(), "to": last.isoformat(),
                 "therapist_id": therapist}))["slots"]
            first = last + timedelta(days=1)
        open_by_therapist[therapist] = slots
    # Contention groups: a start s with s + 15 min also open.
    candidates = []
    for therapist, slots in open_by_therapist.items():
        starts = {datetime.fromisoformat(slot["starts_at"]): slot["starts_at"] for slot in slots}
        for moment, text in starts.items():
            later = starts.get(moment + GRID)
            if later:
                candidates.append((therapist, moment, text, later))
    rng.shuffle(candidates)
    groups: list[list[Booking]] = []
    reserved: dict[int, list[tuple[datetime, datetime]]] = {}
    for therapist, moment, text, later in candidates:
        if len(groups) >= rounds:
            break
        code = seeded.shortest(seeded.therapists[therapist])
        _, _, minutes, buffer = seeded.services[code]
        span = (moment, moment + GRID + timedelta(minutes=minutes + buffer))
        if any(span[0] < end and start < span[1] for start, end in reserved.get(therapist, [])):
            continue
        reserved.setdefault(therapist, []).append(span)
        groups.append([Booking(therapist, code, text), Booking(therapist, code, later)])
    pool: list[Booking] = []
    for therapist, slots in open_by_therapist.items():
        code = seeded.shortest(seeded.therapists[therapist])
        _, _, minutes, buffer = seeded.services[code]
        pool += greedy(therapist, code, minutes + buffer, slots, reserved.get(therapist, []))
    rng.shuffle(pool)
    return pool, groups
