"""The figures of a ``make load`` run, and PASS/FAIL against issue 13's target.

    python bench/load/report.py --out out/load --users 20 --run-time 2m --workers 2

Reads what ``scripts/load`` left in ``--out``: every request the users made
(``requests.csv``, written by the locustfile), Locust's own statistics
(``locust_stats_history.csv``, ``locust_exceptions.csv``), the scenario
(``scenario.json``), the run's times (``run.json``), the background import's
result (``import.json``, ``import.log``) and the server's log
(``server.log``). Prints the throughput, exact p50/p95/max per page type (over
the run, and while the import ran), the errors, the import's duration and exit
code, then PASS/FAIL lines. Exit status 1 when a check fails. Standard library
only.
"""

import argparse
import csv
import json
import math
import re
import sys
from pathlib import Path

#: The page types every run must have exercised (p95 printed for each).
PAGES = (
    "Dashboard",
    "Informativa list",
    "Contract list",
    "Filing form",
    "Regenerate draft",
)
#: Once per user, at its start: reported, not page types.
SETUP = ("Login", "Open views (get_views)")
BUSY_SUFFIX = " (busy)"
LOG_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
LOG_WARNING = re.compile(r"^\S+ \S+ \d+ WARNING ")
#: odoo.service.server lines telling a worker was stopped for a limit.
LOG_LIMIT = re.compile(
    r"limit \(.*\) reached|timeout after|max request|memory limit", re.IGNORECASE
)


def percentile(values, pct):
    """Nearest-rank percentile of sorted ``values`` (0 when empty)."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(pct / 100 * len(values)) - 1)]


def read_samples(path):
    """[(start, name, ms, ok)] of every request."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (float(row["start"]), row["name"], float(row["ms"]), row["ok"] == "1")
            for row in csv.DictReader(handle)
        ]


def by_name(samples, window=None):
    """{name: (sorted ms, failures)}, within ``window`` (start, end) if given."""
    groups = {}
    for start, name, ms, ok in samples:
        if window and not window[0] <= start <= window[1]:
            continue
        values, failures = groups.setdefault(name, ([], [0]))
        values.append(ms)
        failures[0] += not ok
    return {name: (sorted(v), f[0]) for name, (v, f) in groups.items()}


def csv_rows(path):
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def peak_users(path):
    """The most simulated users running at once (Locust's history), or 0."""
    counts = [int(float(row.get("User Count") or 0)) for row in csv_rows(path)]
    return max(counts, default=0)


def task_errors(path):
    """Exceptions raised in the users' tasks (Locust's exceptions CSV)."""
    return sum(int(row.get("Count") or 0) for row in csv_rows(path))


def server_log(path):
    errors, warnings, limits = [], [], []
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if LOG_ERROR.match(line):
                errors.append(line)
            elif LOG_WARNING.match(line):
                warnings.append(line)
            if LOG_LIMIT.search(line):
                limits.append(line)
    return errors, warnings, limits


def import_log(path, rc):
    """The import's summary line; its last lines when it failed."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if rc:
        return lines[-15:]
    return [line for line in lines if "CFDI imported" in line]


def sort_key(name):
    base = name.removesuffix(BUSY_SUFFIX)
    order = SETUP + PAGES
    return (order.index(base) if base in order else len(order), name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out/load"))
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--run-time", required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)
    out = args.out

    scenario = json.loads((out / "scenario.json").read_text(encoding="utf-8"))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    imported = json.loads((out / "import.json").read_text(encoding="utf-8"))
    samples = read_samples(out / "requests.csv")
    errors, warnings, limits = server_log(out / "server.log")
    peak = peak_users(out / "locust_stats_history.csv")
    exceptions = task_errors(out / "locust_exceptions.csv")

    seconds = max(run["load_end"] - run["load_start"], 1e-9)
    import_window = (imported["start"], imported["end"])
    overlap = max(
        0.0,
        min(imported["end"], run["load_end"])
        - max(imported["start"], run["load_start"]),
    )
    stats = by_name(samples)
    during = by_name(samples, import_window)
    requests = len(samples)
    failures = sum(f for _v, f in stats.values())
    all_ms = sorted(ms for _s, _n, ms, _ok in samples)
    pages_ms = sorted(
        ms for _s, name, ms, _ok in samples if name.removesuffix(BUSY_SUFFIX) in PAGES
    )
    counts = scenario["counts"]

    print("== load: the scenario")
    print(
        f"  {args.users} simulated users for {args.run_time} against Odoo with "
        f"{args.workers} HTTP workers (prefork) on {run['host']}, database "
        f"{scenario['db']}: {len(scenario['companies'])} companies, "
        f"{counts['contracts']} contracts, {counts['workers']} workers, "
        f"{scenario['drafts']} drafts ({counts['draft_lines']} worker lines), "
        f"{len(scenario['users'])} logins"
    )
    print(
        f"  background import: {scenario['import']['files']} payroll CFDI "
        f"({scenario['import']['workers']} workers) into company "
        f"{scenario['import']['company']}"
    )
    print("== load: per request type (ms; 'import' columns: while the import ran)")
    print(
        f"  {'request type':<26} {'requests':>8} {'fails':>5} {'req/s':>6} "
        f"{'p50':>6} {'p95':>6} {'max':>6} | {'import':>6} {'p50':>6} {'p95':>6}"
    )
    for name in sorted(stats, key=sort_key):
        values, fails = stats[name]
        under = during.get(name, ([], 0))[0]
        print(
            f"  {name:<26} {len(values):8d} {fails:5d} {len(values) / seconds:6.2f} "
            f"{percentile(values, 50):6.0f} {percentile(values, 95):6.0f} "
            f"{values[-1]:6.0f} | {len(under):6d} {percentile(under, 50):6.0f} "
            f"{percentile(under, 95):6.0f}"
        )
    print(
        f"  {'all':<26} {requests:8d} {failures:5d} {requests / seconds:6.2f} "
        f"{percentile(all_ms, 50):6.0f} {percentile(all_ms, 95):6.0f} "
        f"{(all_ms or [0])[-1]:6.0f}"
    )
    busy = sum(len(v) for n, (v, _f) in stats.items() if n.endswith(BUSY_SUFFIX))

    print("== load: summary")
    figures = {
        "throughput_req_s": requests / seconds,
        "requests": requests,
        "failed_requests": failures,
        "task_errors": exceptions,
        "busy_regenerations_expected": busy,
        "pages_p50_ms": percentile(pages_ms, 50),
        "pages_p95_ms": percentile(pages_ms, 95),
        "peak_users": peak,
        "load_s": seconds,
        "import_s": imported["end"] - imported["start"],
        "import_exit_code": imported["rc"],
        "import_overlap_with_load_s": overlap,
        "server_log_errors": len(errors),
        "server_log_warnings": len(warnings),
        "workers_stopped_for_a_limit": len(limits),
    }
    for name, value in figures.items():
        text = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{name}: {text}")
    for line in import_log(out / "import.log", imported["rc"]):
        print(f"  import: {line}")
    for line in (errors + warnings + limits)[:20]:
        print(f"  server: {line}")

    pages = [p for p in PAGES if p != "Dashboard" or scenario["dashboard"]]
    missing = [p for p in pages if p not in stats]
    p95 = ", ".join(
        f"{p} {percentile(stats[p][0], 95):.0f}" for p in pages if p not in missing
    )
    checks = [
        (
            f"{args.users} simulated users for {args.run_time} with {args.workers} "
            f"server workers: {peak} users at the peak, {requests} requests, "
            f"{requests / seconds:.1f} req/s",
            requests > 0 and peak == args.users,
        ),
        (
            f"0 errors ({failures} failed requests, {exceptions} task errors; "
            f"{busy} regenerations refused as busy, expected)",
            failures == 0 and exceptions == 0,
        ),
        (
            f"0 ERROR lines in the server log ({len(errors)}), no worker stopped "
            f"for a limit ({len(limits)})",
            not errors and not limits,
        ),
        (
            f"p95 printed per page type (ms): {p95}"
            + (f"; never opened: {', '.join(missing)}" if missing else ""),
            not missing,
        ),
        (
            f"background import of {scenario['import']['files']} CFDI: exit code "
            f"{imported['rc']} in {figures['import_s']:.1f} s, {overlap:.0f} s of "
            "it under load",
            imported["rc"] == 0 and overlap > 0,
        ),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}: {label}")
    return 0 if all(ok for _label, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
