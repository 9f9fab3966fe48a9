"""The benchmark's report: the figures as JSON, and the printed tables with the targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.common import API, percentile
from bench.load import ContentionResult, PhaseResult
from bench.ratios import booking_rows, print_rows
from bench.seeding import Seeded
from bench.server import Server


@dataclass
class Bookings:
    """What the ceiling's INSERT, the API booking and contention phases did, and what the database held after each."""

    pool: int  # distinct open times there were to book
    warm_created: int  # bookings the warm-up made
    ceiling: PhaseResult  # the bare app's one INSERT transaction, with the same clients
    phase: PhaseResult
    stored: int
    doubles_after_booking: int
    contention: ContentionResult
    stored_after: int
    doubles_after_contention: int
    deadlocks: int  # detected by PostgreSQL during the contention phase
    exclusion: bool


@dataclass
class Flows:
    """What the HTML booking flows did, and what the database held after them."""

    phase: PhaseResult  # one unit = one flow of three requests
    warm_created: int  # bookings the warm-up flows made
    stored: int  # live bookings of the flows' patients, warm-up included
    doubles: int  # double bookings after the flows


def fill_report(report: dict[str, Any], *, command: str, servers: tuple[Server, Server], engine: dict[str, Any],
                seeded: Seeded, inproc: dict[str, Any], phases: list[PhaseResult], bookings: Bookings, flows: Flows,
                memory: dict[str, list[dict[str, float]]], pg_alone: dict[str, float], quiet: dict[str, float]) -> None:
    """Add the run's figures to ``report`` (what --json writes)."""
    booked, contention = bookings.phase, bookings.contention
    report.update(
        command=command,
        server=" ".join(["gunicorn", *servers[0].command[1:]]),
        ceiling_server=" ".join(["gunicorn", *servers[1].command[1:]]),
        engine_options=engine,
        seeded={k: getattr(seeded, k) for k in ("appointments", "cancelled", "patients", "screenings",
                                               "time_off", "shifts", "seconds")}
        | {"first_day": seeded.first_day.isoformat(), "last_day": seeded.last_day.isoformat(),
           "therapists": len(seeded.therapists), "occupancy": round(seeded.occupancy, 3)},
        queries={name: value["queries"] for name, value in inproc["counts"].items()},
        round_trips={name: value["round_trips"] for name, value in inproc["counts"].items()},
        statements={name: value["statements"] for name, value in inproc["counts"].items()},
        phases=[phase_json(phase) for phase in phases],
        bookings={"pool": bookings.pool, "created": booked.statuses[201],
                  "per_second": round(booked.per_second(201), 1),
                  "conflicts_409": booked.statuses[409], "stored": bookings.stored,
                  "other": {str(k): v for k, v in booked.statuses.items() if k not in (201, 409)},
                  "transport_errors": booked.transport_errors,
                  "resent_after_idle_close": booked.retries},
        contention={"rounds": contention.rounds, "clients": contention.clients,
                    "created": contention.statuses[201], "conflicts_409": contention.statuses[409],
                    "rounds_with_one_winner": sum(1 for w in contention.winners if w == 1),
                    "rounds_with_more": sum(1 for w in contention.winners if w > 1),
                    "other": {str(k): v for k, v in contention.statuses.items() if k not in (201, 409)},
                    "transport_errors": contention.transport_errors,
                    "resent_after_idle_close": contention.retries,
                    "p50_ms": round(percentile(contention.latencies, .5) * 1000, 1),
                    "p99_ms": round(percentile(contention.latencies, .99) * 1000, 1),
                    "max_ms": round(max(contention.latencies, default=0) * 1000, 1),
                    "stored_total": bookings.stored_after,
                    "deadlocks_detected": bookings.deadlocks},
        flows={"created": flows.phase.statuses[303], "warm_created": flows.warm_created, "stored": flows.stored,
               "per_second": round(flows.phase.per_second(303), 1)},
        memory=memory,
        double_bookings={"after_bookings": bookings.doubles_after_booking,
                         "after_contention": bookings.doubles_after_contention, "after_flows": flows.doubles},
        exclusion_constraint=bookings.exclusion,
        csrf_probe=inproc["csrf_probe"],
        postgres_alone=pg_alone,
        server_errors=servers[0].logged_errors(),
        quiet_wait=quiet,
    )


def phase_json(phase: PhaseResult) -> dict[str, Any]:
    """One measured phase as JSON."""
    return {"name": phase.name, "clients": phase.clients, "requests": phase.requests,
            "seconds": round(phase.wall, 2), "rps": round(phase.rps, 1), "p50_ms": round(phase.ms(0.50), 1),
            "p95_ms": round(phase.ms(0.95), 1), "p99_ms": round(phase.ms(0.99), 1),
            "statuses": {str(k): v for k, v in phase.statuses.items()},
            "transport_errors": phase.transport_errors, "resent_after_idle_close": phase.retries,
            "samples": phase.samples,
            "cpu_cores": {k: round(v, 2) for k, v in vars(phase.cpu).items() if k != "wall"} if phase.cpu else None,
            "cpu_ms_per_request": {party: round(phase.cpu.ms_per(party, phase.requests), 2)
                                   for party in ("client", "server", "postgres")} if phase.cpu else None}


def print_report(report: dict[str, Any], searches: list[PhaseResult], bookings: Bookings, flows: Flows,
                 inproc: dict[str, Any]) -> None:
    """Print the report: setup, phases, CPU, bookings, SQL counts, issue 15's table and the checks (both added
    to ``report``)."""
    phases = [*searches, bookings.ceiling, bookings.phase, flows.phase]
    _print_setup(report)
    _print_phases(report, phases)
    _print_bookings(report, bookings.phase, bookings.contention, flows, inproc)
    select, one_day, range_14 = searches[:3]
    report["issue_15"] = print_rows(booking_rows(select, one_day, range_14, bookings.ceiling, bookings.phase,
                                                 flows.phase, report["memory"]))
    _print_checks(report, phases, bookings.contention)
    if inproc["profiles"]:
        print("\nProfiles (pyinstrument, in-process) written; summaries:")
        for name, text in inproc["profiles"].items():
            print(f"--- {name} ---")
            print("\n".join(text.splitlines()[:60]))


def _print_setup(report: dict[str, Any]) -> None:
    """What ran on what: machine, code, server and data."""
    m = report["machine"]
    print()
    print(f"Booking benchmark, {report['date']}")
    print(f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory']}, PostgreSQL {m['postgresql']}, "
          f"Python {m['python']}; load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}")
    code = report["code"]
    print(f"Code: commit {code['commit']}{' with uncommitted app changes' if code['uncommitted_app_changes'] else ''}"
          f", app sources sha256 {code['app_sources_sha256']}")
    print(f"Server: {report['server']}; engine options {report['engine_options']} (production's); rate limits off "
          "(RATELIMIT_ENABLED=false)")
    print(f"Ceiling: {report['ceiling_server']} (bare Flask + SQLAlchemy, the same engine options)")
    probe = report["csrf_probe"]
    if probe["status"] != 201:
        print(f"WARNING: with the default settings (CSRF on) POST {API}/screenings without a CSRF token answers "
              f"{probe['status']} {probe['body']!r}: the JSON API is not exempt from CSRF.")
    s = report["seeded"]
    print(f"Data: {s['therapists']} therapists, {s['appointments']} appointments ({s['cancelled']} cancelled) "
          f"{s['first_day']}..{s['last_day']}, {s['patients']} patients, {s['time_off']} time-off periods, "
          f"booked time {s['occupancy']:.0%} of working hours; seeded in {s['seconds']:.1f} s")


def _print_phases(report: dict[str, Any], phases: list[PhaseResult]) -> None:
    """The phase table, the CPU each party used, and unexpected answers."""
    m = report["machine"]
    print()
    header = (f"{'phase':42} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8}  statuses")
    print(header)
    print("-" * len(header))
    for phase in phases:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(phase.statuses.items()))
        if phase.transport_errors:
            statuses += f", transport errors: {phase.transport_errors}"
        if phase.retries:
            statuses += f" (+{phase.retries} resent on a new connection)"
        print(f"{phase.name:42} {phase.clients:>7} {phase.requests:>8} {phase.rps:>8.1f} {phase.ms(.5):>8.1f} "
              f"{phase.ms(.95):>8.1f} {phase.ms(.99):>8.1f}  {statuses}")
    print()
    print("CPU during each phase (average cores in use; the machine has "
          f"{m['cpus']}; 'other' is everything else on the machine):")
    for phase in phases:
        if phase.cpu:
            print(f"  {phase.name:42} {phase.cpu.text()}")
    print("CPU per request (ms), independent of what else ran; 'ceiling' = requests/s the machine's cores "
          "would allow at that cost if nothing else ran:")
    cores = m["cpus"] or 1
    for phase in phases:
        if phase.cpu and phase.requests:
            per = {party: phase.cpu.ms_per(party, phase.requests) for party in ("client", "server", "postgres")}
            total = sum(per.values())
            print(f"  {phase.name:42} gunicorn {per['server']:6.2f}, postgres {per['postgres']:5.2f}, "
                  f"client {per['client']:5.2f}; ceiling {cores * 1000 / total if total else 0:7.0f} req/s")
    print(f"PostgreSQL alone: {report['postgres_alone']['inserts_per_second']:.0f} single-row inserts/s under "
          f"the exclusion constraint ({report['postgres_alone']['threads']} connections, autocommit)")
    if report.get("quiet_wait"):
        print(f"Cores used by other processes just before each phase: {report['quiet_wait']}")
    for phase in phases:
        for sample in phase.samples:
            print(f"  unexpected answer in '{phase.name}': {sample}")


def _print_bookings(report: dict[str, Any], booking_phase: PhaseResult, contention: ContentionResult, flows: Flows,
                    inproc: dict[str, Any]) -> None:
    """Bookings, contention, HTML flows, double bookings, the workers' memory, and the SQL statements per request."""
    b = report["bookings"]
    c = report["contention"]
    d = report["double_bookings"]
    print()
    print(f"Bookings: {b['created']} created in {booking_phase.wall:.1f} s = {b['per_second']:.1f}/s "
          f"(pool of {b['pool']} distinct open times), 409: {b['conflicts_409']}, other: {b['other'] or 0}, "
          f"stored in the database: {b['stored']}")
    print(f"Contention: {c['rounds']} rounds x {c['clients']} clients on the same therapist and time "
          f"(starts s and s+15 min): {c['created']} created, 409: {c['conflicts_409']}, "
          f"rounds with one winner: {c['rounds_with_one_winner']}, with more than one: {c['rounds_with_more']}, "
          f"other: {c['other'] or 0}, transport errors: {c['transport_errors']}, resent on a new connection: "
          f"{c['resent_after_idle_close']}; latency p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, max {c['max_ms']} ms; "
          f"deadlocks PostgreSQL detected meanwhile: {c['deadlocks_detected']}")
    for sample in contention.samples:
        print(f"  unexpected answer in contention: {sample}")
    f = report["flows"]
    print(f"HTML booking flows: {f['created']} booked in {flows.phase.wall:.1f} s = {f['per_second']:.1f}/s "
          f"(+{f['warm_created']} in the warm-up), stored in the database: {f['stored']}")
    memory = report["memory"]
    print("Memory of each web worker at the end of the load, MiB RSS (peak RSS, PSS): app " +
          ", ".join(f"{w['rss_mib']:.1f} ({w['peak_mib']:.1f}, {w['pss_mib']:.1f})" for w in memory["app"]) +
          "; bare app " +
          ", ".join(f"{w['rss_mib']:.1f} ({w['peak_mib']:.1f}, {w['pss_mib']:.1f})" for w in memory["bare"]))
    if report.get("server_errors"):
        print(f"Errors the app logged (gunicorn log): {report['server_errors']}")
    print(f"Double bookings (overlapping live appointments of one therapist): after the booking phase "
          f"{d['after_bookings']}, after contention {d['after_contention']}, after the HTML flows {d['after_flows']}; "
          "exclusion constraint present: "
          f"{report['exclusion_constraint']}")
    print()
    print("SQL statements per request (in-process, before_cursor_execute), and round trips to PostgreSQL "
          "(BEGIN, ROLLBACK, COMMIT and the pool's ping included):")
    for name, value in inproc["counts"].items():
        print(f"  {name:40} {value['queries']:>3} statements, {value['round_trips']:>3} round trips  "
              f"({value['bytes']} bytes answered)")


def _print_checks(report: dict[str, Any], phases: list[PhaseResult], contention: ContentionResult) -> None:
    """What must hold whatever the speed (also added to ``report``), and a note when the machine was busy."""
    c, d = report["contention"], report["double_bookings"]
    cores = report["machine"]["cpus"] or 1
    doubles = d["after_bookings"] + d["after_contention"] + d["after_flows"]
    rows = [("double bookings = 0", f"{doubles}", doubles == 0 and c["rounds_with_more"] == 0)]
    queries = report["queries"]
    search_queries = max(queries.get("slot search, one type, 14 days", 0),
                         queries.get("slot search, one therapist, one day", 0))
    rows.append(("slot search: no query per appointment", f"{search_queries} queries", search_queries <= 10))
    errors_5xx = sum(v for phase in phases for k, v in phase.statuses.items() if k >= 500) + \
        sum(v for k, v in contention.statuses.items() if k >= 500)
    rows.append(("no 5xx answers", f"{errors_5xx}", errors_5xx == 0))
    print()
    print("Checks:")
    for label, value, met in rows:
        print(f"  {label:40} {value:>14}  {'PASS' if met else 'FAIL'}")
    busy = {phase.name: phase.cpu.other for phase in phases if phase.cpu and phase.cpu.other > 0.2}
    if busy:
        print("  Note: other processes used " + ", ".join(f"{used:.2f} cores during '{name}'"
                                                      for name, used in busy.items())
              + f" (of {cores}); those figures understate the app. Compare the CPU per request, or run "
                "again with --wait-quiet 120.")
    report["checks"] = {label: {"value": value, "met": met} for label, value, met in rows}
