"""The benchmarks still run: a tiny run (``--quick``) of the booking, notifications, waitlist, waitlist claims,
waitlist offering and waitlist latency benchmarks.

The first two run against the local PostgreSQL and Redis, each on a database of its own (so that it never waits
for, nor drops, a developer's benchmark), and must exit 0 and print every row of issue 15's table,
each with its ceiling measured in the same run. The figures of so short a run mean nothing; that
the benchmark works is what is checked. The waitlist's runs in-process, with no database; the waitlist
claims one must book once and tell every other claim it was taken; the waitlist offering and latency ones must
measure every freed time beside their ceiling (their time target, judged on a shared machine, may pass or fail:
the verdict printed must agree with the figures).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[1]
BOOKING_ROWS = ("one-day slot search, one therapist, c=8", "14-day search, 20 therapists, c=8", "API booking, c=4",
                "HTML booking flow (3 requests), c=4", "peak memory per web worker (RSS at the end)")
DELIVERY_ROWS = ("email delivery, one worker, c=2",)


def run_quick(script: str, tmp_path: Path, exits: tuple[int, ...] = (0,)) -> tuple[str, dict]:
    """Run ``benchmarks/<script> --quick`` on a database of its own; its printed report and its JSON."""
    report = tmp_path / "report.json"
    name = f"bench_ci_{Path(script).stem}_{uuid.uuid4().hex[:8]}"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--admin-url",
                             TEST_DATABASE_URL, "--db-name", name, "--json", str(report)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode in exits, f"{script} exited {result.returncode}:\n{result.stdout}\n{result.stderr[-4000:]}"
    return result.stdout, json.loads(report.read_text())


def assert_rows(printed: str, report: dict, rows: tuple[str, ...]) -> None:
    """Every row of issue 15's table is printed, in order, with a ceiling measured in this run where it has one."""
    assert [row["work"] for row in report["issue_15"]] == list(rows)
    for row in report["issue_15"]:
        line = next((line for line in printed.splitlines() if line.startswith(row["work"])), None)
        assert line is not None, f"row {row['work']!r} not printed:\n{printed}"
        assert row["ours"] in line and row["ceiling"] in line and row["ratio"] in line
        if row["ceiling"] != "-":
            assert any(char in "123456789" for char in row["ceiling"]), f"no ceiling measured: {row}"


def test_the_booking_benchmark_runs_every_phase(tmp_path: Path) -> None:
    printed, report = run_quick("booking.py", tmp_path)
    assert_rows(printed, report, BOOKING_ROWS)
    for phase in report["phases"]:  # each answered, and only as expected (unexpected answers are kept as samples)
        assert phase["requests"] > 0 and not phase["samples"] and not phase["transport_errors"], phase
    assert report["double_bookings"] == {"after_bookings": 0, "after_contention": 0, "after_flows": 0}
    assert len(report["memory"]["app"]) == len(report["memory"]["bare"]) == 2


def test_the_notifications_benchmark_delivers_every_message(tmp_path: Path) -> None:
    printed, report = run_quick("notifications.py", tmp_path)
    assert_rows(printed, report, DELIVERY_ROWS)
    assert report["messages"]["outbox"]["statuses"] == {"sent": report["messages"]["expected"]}


def test_the_waitlist_benchmark_ranks_beside_its_ceiling(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "waitlist.py"), "--quick", "--json",
                             str(report_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"waitlist.py exited {result.returncode}:\n{result.stdout}\n{result.stderr[-4000:]}"
    figures = json.loads(report_path.read_text())["figures"]
    assert figures["entries"] == 2000 and figures["fitting_entries_mean"] > 0
    assert "rank 2000 entries for one opening" in result.stdout and "ceiling: sorted() of 2000 tuples" in result.stdout
    assert figures["plain_sort_ms"]["p95"] > 0


def test_the_waitlist_claims_benchmark_books_one_and_tells_the_rest(tmp_path: Path) -> None:
    printed, report = run_quick("waitlist_claims.py", tmp_path)
    [claims] = report["rounds"]
    assert claims["answers"] == {"booked": 1, "told taken": report["waitlisters"] - 1} and claims["stored"] == 1
    assert len(claims["ceiling_ms"]) == report["waitlisters"] and not report["logged_errors"]
    assert "waitlisters claim one freed time at once" in printed and "ceiling p95" in printed


def judged(printed: str, row: str) -> str:
    """The verdict (PASS or FAIL) the report printed on its target's row."""
    line = next(line for line in printed.splitlines() if line.startswith(row))
    return line.split()[-1]


def test_the_waitlist_offering_benchmark_offers_every_freed_time_beside_its_ceiling(tmp_path: Path) -> None:
    printed, report = run_quick("waitlist_offering.py", tmp_path, exits=(0, 1))
    assert report["runs"] == 5 and report["offered"] > 0
    assert report["plain_select_ms"]["p50"] > 0 and report["advance_ms"]["p50"] > 0
    assert "ceiling: SELECT of the 200 entries' rows" in printed and "ratio (ours / ceiling)" in printed
    assert judged(printed, "offering.advance of one freed time") == ("PASS" if report["advance_ms"]["p95"] <= 50
                                                                     else "FAIL")


def test_the_waitlist_latency_benchmark_times_every_cancellation_to_its_offer(tmp_path: Path) -> None:
    printed, report = run_quick("waitlist_latency.py", tmp_path, exits=(0, 1))
    assert report["offer_s"]["count"] == 5 and report["confirmation_s"]["count"] == 5
    assert report["confirmation_s"]["duplicates"] == report["confirmation_s"]["losses"] == 0
    assert 0 < report["offer_s"]["p50"] <= report["offer_s"]["max"]
    assert "ceiling: a booking -> its confirmation" in printed
    assert judged(printed, "a cancellation -> its time first offered") == ("PASS" if report["offer_s"]["p95"] <= 5
                                                                           else "FAIL")
