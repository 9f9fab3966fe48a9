"""The notifications benchmark's printed report, with the targets (added to the JSON report)."""

from __future__ import annotations

from typing import Any

from bench.ratios import delivery_row, print_rows

LATENCY_P95_MS = 2000.0


def print_report(report: dict[str, Any]) -> None:
    """Print the machine, the code, the table of phases, the checks and the targets."""
    m, code = report["machine"], report["code"]
    print()
    print(f"Notifications benchmark, {report['date']}")
    print(f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory']}, PostgreSQL {m['postgresql']}, "
          f"Python {m['python']}; load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}")
    print(f"Code: commit {code['commit']}{' with uncommitted app changes' if code['uncommitted_app_changes'] else ''}"
          f", app sources sha256 {code['app_sources_sha256']}")
    print(f"Worker: {report['worker']} (one process; broker: the machine's Redis, a queue of its own)")
    print(f"Data: {report['seeded']['appointments']} appointments, {report['messages']['expected']} due "
          "confirmations in the outbox; SMTP sink: aiosmtpd in this process")
    print()
    header = (f"{'phase':34} {'messages':>8} {'seconds':>8} {'msg/s':>8}   "
              f"{'CPU ms per message: worker':>26} {'postgres':>9} {'bench':>6}")
    print(header)
    print("-" * len(header))
    for name, key in (("no-op task (the ceiling)", "ceiling"), ("delivery: claim, render, SMTP, mark", "delivery")):
        row = report[key]
        ms = row["cpu_ms_per_message"]
        print(f"{name:34} {row['messages']:>8} {row['seconds']:>8.2f} {row['per_second']:>8.1f}   "
              f"{ms['server']:>26.2f} {ms['postgres']:>9.2f} {ms['client']:>6.2f}")
    print()
    print("Cores in use during each phase (worker = its main process and pool; bench = this process, the SMTP "
          "sink; other = the rest of the machine):")
    for name, key in (("no-op task", "ceiling"), ("delivery", "delivery")):
        cores = report[key]["cpu_cores"]
        print(f"  {name:12} worker {cores['server']:.2f}, postgres {cores['postgres']:.2f}, bench {cores['client']:.2f}, "
              f"other {cores['other']:.2f}, idle {cores['idle']:.2f}")
    relay, messages = report["relay"], report["messages"]
    print(f"Relay (relay_due, in this process): {relay['handed_over']} handed over in {relay['seconds']:.2f} s "
          f"= {relay['per_second']:.0f}/s")
    print(f"Delivered by Message-ID: duplicates {messages['duplicates']}, losses {messages['losses']}, unexpected "
          f"{messages['unexpected']}; outbox rows {messages['outbox']['statuses']}, attempted more than once: "
          f"{messages['outbox']['attempted_more_than_once']}; SMTP connections seen: {messages['smtp_connections']}")
    latency = report["latency"]
    print(f"Booking to confirmation (commit to the SMTP server's acceptance, {latency['bookings']} visits booked one "
          f"at a time): p50 {latency['p50_ms']:.0f} ms, p95 {latency['p95_ms']:.0f} ms, max {latency['max_ms']:.0f} ms; "
          f"duplicates {latency['duplicates']}, losses {latency['losses']}, unexpected {latency['unexpected']}")
    _print_targets(report)


def _print_targets(report: dict[str, Any]) -> None:
    """Issue 15's row, the checks with PASS/FAIL, and a note when the machine was busy."""
    ceiling, delivery, messages, latency = (report[k] for k in ("ceiling", "delivery", "messages", "latency"))
    report["issue_15"] = print_rows([delivery_row(delivery, ceiling, report["concurrency"])])
    rows = [
        ("duplicates = 0 (by Message-ID)", f"{messages['duplicates'] + latency['duplicates']}",
         messages["duplicates"] + latency["duplicates"] == 0),
        ("losses = 0 (by Message-ID)", f"{messages['losses'] + latency['losses']}",
         messages["losses"] + latency["losses"] == 0),
        ("confirmation p95 < 2 s after commit", f"{latency['p95_ms']:.0f} ms", latency["p95_ms"] < LATENCY_P95_MS),
    ]
    print()
    print("Checks:")
    for label, value, met in rows:
        print(f"  {label:40} {value:>14}  {'PASS' if met else 'FAIL'}")
    busy = {key: report[key]["cpu_cores"]["other"] for key in ("ceiling", "delivery")
            if report[key]["cpu_cores"]["other"] > 0.2}
    if busy:
        print("  Note: other processes used " + ", ".join(f"{used:.2f} cores during the {key} phase"
                                                      for key, used in busy.items())
              + "; compare the CPU per message, or run again with --wait-quiet 120.")
    report["checks"] = {label: {"value": value, "met": met} for label, value, met in rows}
