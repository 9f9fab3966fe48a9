"""The booking benchmark's measured phases: each of the app's beside the bare app's ceiling, in one run."""

from __future__ import annotations

import argparse
import random
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bench.api import Booking, booking_body, one_day_path, range_path
from bench.client import Client
from bench.common import API, log
from bench.database import deadlocks, double_bookings, has_exclusion_constraint, stored_bench_bookings
from bench.flows import html_flow
from bench.load import PhaseResult, Work, prepare_bookings, run_contention, run_phase, run_units
from bench.machine import wait_for_quiet
from bench.report import Bookings, Flows
from bench.seeding import Seeded
from bench.server import Server


@dataclass
class Run:
    """What the measured phases share: the options, the database, the two servers and the seeded data."""

    args: argparse.Namespace
    url: str
    server: Server  # the app
    ceiling: Server  # the bare app (bench/ceiling_app.py)
    seeded: Seeded
    screening_ids: list[str]
    email_prefix: str
    quiet: dict[str, float] = field(default_factory=dict)  # cores others used before each phase (--wait-quiet)

    def settle(self, name: str) -> None:
        """With --wait-quiet, wait for the machine to calm down before phase ``name``."""
        if self.args.wait_quiet > 0:
            self.quiet[name] = round(wait_for_quiet(self.server.pid, self.args.wait_quiet), 2)

    def phase(self, name: str, clients: int, seconds: float, work: Work, expect: int, seed_value: int,
              max_requests: int | None = None, server: Server | None = None) -> PhaseResult:
        """One closed-loop phase against the app (or ``server``)."""
        server = server or self.server
        if not name.startswith("warm-up"):
            self.settle(name)
            log(f"{name} ({clients} clients, {seconds:.0f} s)")
        return run_phase(name, server.port, clients, seconds, work, expect=[expect], server_pid=server.pid,
                         max_requests=max_requests, seed_value=seed_value)


def search_phases(run: Run) -> list[PhaseResult]:
    """Warm-up, then the ceiling's one SELECT and the measured slot-search phases."""
    args, seeded = run.args, run.seeded
    days = seeded.working_days()
    therapists = sorted(seeded.therapists)

    def one_day(_index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return "GET", one_day_path(seeded, client_rng, days), None

    def range_14(_index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return "GET", range_path(seeded, client_rng, days), None

    def mixed(index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return (one_day if index % 2 else range_14)(index, client_rng)

    def select(_index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return "GET", f"/select?id={client_rng.choice(therapists)}", None

    warm = min(3.0, args.seconds)
    log(f"warm-up ({warm:.0f} s, 4 clients, each server)")
    run.phase("warm-up", 4, warm, mixed, 200, 1)
    run.phase("warm-up ceiling", 4, warm / 3, select, 200, 1, server=run.ceiling)
    return [
        run.phase("ceiling: one SELECT", args.search_clients, args.seconds, select, 200, 7, server=run.ceiling),
        run.phase("slots: 1 therapist, 1 day", args.search_clients, args.seconds, one_day, 200, 2),
        run.phase("slots: 20 therapists, 14 days", args.range_clients, args.seconds, range_14, 200, 3),
        run.phase("slots: 20 therapists, 14 days (1 client)", 1, min(5.0, args.seconds), range_14, 200, 4),
    ]


def booking_phases(run: Run, rng: random.Random) -> tuple[Bookings, Flows]:
    """The ceiling's one INSERT, the API booking phase, the contention phase and the HTML booking
    flows, each checked in the database."""
    args, url = run.args, run.url
    log("collecting open times for the booking phases from the slots API")
    pool, groups = prepare_bookings(run.server.port, run.seeded, args.contention_rounds, rng)
    log(f"{len(pool)} distinct non-overlapping open times to book; {len(groups)} contention rounds")
    queue = deque(pool)
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def email(kind: str) -> str:
        with counter_lock:
            return f"{run.email_prefix}{kind}{next(counter)}@example.com"

    def book_one(index: int, _rng: random.Random) -> tuple[str, str, dict[str, Any]] | None:
        try:
            booking = queue.popleft()
        except IndexError:
            return None
        return "POST", f"{API}/appointments", booking_body(
            booking, run.screening_ids[index % len(run.screening_ids)], email("api-"))

    def insert(_index: int, _rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        return "POST", "/insert", {"note": "ceiling"}

    log("warm-up bookings (32, 4 clients; not counted)")
    warm = run.phase("warm-up bookings", 4, 10.0, book_one, 201, 6, max_requests=32)
    run.phase("warm-up ceiling", 4, 1.0, insert, 201, 6, max_requests=32, server=run.ceiling)
    ceiling = run.phase("ceiling: one INSERT", args.booking_clients, args.seconds, insert, 201, 8, server=run.ceiling)
    booked = run.phase("bookings: API (distinct times)", args.booking_clients, args.booking_seconds, book_one, 201, 5)
    doubles_after_booking = double_bookings(url)
    stored = stored_bench_bookings(url, run.email_prefix)
    deadlocks_before = deadlocks(url)

    log(f"contention ({args.contention_clients} clients x {len(groups)} rounds, same times)")
    contention = run_contention(run.server.port, groups, args.contention_clients, run.screening_ids,
                                run.email_prefix)
    doubles_after_contention = double_bookings(url)
    contention_deadlocks = deadlocks(url) - deadlocks_before
    stored_after = stored_bench_bookings(url, run.email_prefix)

    def flow(client: Client, index: int, _rng: random.Random) -> tuple[int, bytes] | None:
        try:
            booking: Booking = queue.popleft()
        except IndexError:
            return None
        return html_flow(client, booking, run.screening_ids[index % len(run.screening_ids)], email("html-"),
                         run.seeded.zone)

    log("warm-up HTML booking flows (8, 4 clients; not counted)")
    flows_warm = run_units("warm-up flows", run.server.port, 4, 10.0, flow, expect=[303], server_pid=run.server.pid,
                           max_units=8)
    run.settle("HTML booking flow")
    log(f"HTML booking flow, 3 requests ({args.flow_clients} clients, {args.booking_seconds:.0f} s)")
    flows = run_units("HTML booking flows (3 requests each)", run.server.port, args.flow_clients, args.booking_seconds,
                      flow, expect=[303], server_pid=run.server.pid, seed_value=9)
    bookings = Bookings(len(pool), warm.statuses[201], ceiling, booked, stored, doubles_after_booking, contention,
                        stored_after, doubles_after_contention, contention_deadlocks, has_exclusion_constraint(url))
    return bookings, Flows(flows, flows_warm.statuses[303], stored_bench_bookings(url, f"{run.email_prefix}html-"),
                           double_bookings(url))
