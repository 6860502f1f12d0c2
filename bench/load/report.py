"""The figures of a ``make load`` run, and PASS/FAIL against issue 13's target.

    python bench/load/report.py --out out/load --users 20 --run-time 2m --workers 2

Reads what ``scripts/load`` left in ``--out``: Locust's statistics
(``locust_stats.csv``), the scenario (``scenario.json``), the background
import's result (``import.json``) and the server's log (``server.log``).
Prints the throughput, p50/p95/max per page type, the errors, the import's
duration and exit code, then PASS/FAIL lines. Exit status 1 when a check
fails. Standard library only.
"""

import argparse
import csv
import json
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
BUSY_SUFFIX = " (busy)"
LOG_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
LOG_WARNING = re.compile(r"^\S+ \S+ \d+ WARNING ")
#: odoo.service.server lines telling a worker was stopped for a limit.
LOG_LIMIT = re.compile(
    r"limit \(.*\) reached|timeout after|max request|memory limit", re.IGNORECASE
)


def read_stats(path):
    rows = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def number(row, column, cast=float):
    value = row.get(column) or "0"
    try:
        return cast(float(value))
    except ValueError:  # "N/A" when a type had no request
        return cast(0)


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
    lines = (
        path.read_text(encoding="utf-8", errors="replace").splitlines()
        if path.exists()
        else []
    )
    if rc:
        return lines[-15:]
    return [line for line in lines if "CFDI imported" in line]


def peak_users(path):
    """The most simulated users running at once (Locust's history), or 0."""
    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8") as handle:
        return max(
            (number(row, "User Count", int) for row in csv.DictReader(handle)),
            default=0,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out/load"))
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--run-time", required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)

    scenario = json.loads((args.out / "scenario.json").read_text(encoding="utf-8"))
    stats = read_stats(args.out / "locust_stats.csv")
    run = json.loads((args.out / "run.json").read_text(encoding="utf-8"))
    imported = json.loads((args.out / "import.json").read_text(encoding="utf-8"))
    errors, warnings, limits = server_log(args.out / "server.log")
    peak = peak_users(args.out / "locust_stats_history.csv")

    total = stats.get("Aggregated", {})
    requests = number(total, "Request Count", int)
    failures = number(total, "Failure Count", int)
    seconds = max(run["load_end"] - run["load_start"], 1e-9)
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

    print("== load: per page type (ms)")
    head = f"  {'page type':<26} {'requests':>8} {'fails':>6} {'req/s':>7} "
    print(head + f"{'p50':>7} {'p95':>7} {'max':>7}")
    names = [n for n in stats if n != "Aggregated"]
    order = {name: i for i, name in enumerate(PAGES)}
    names.sort(key=lambda n: (order.get(n.removesuffix(BUSY_SUFFIX), -1), n))
    for name in names:
        row = stats[name]
        print(
            f"  {name:<26} {number(row, 'Request Count', int):8d} "
            f"{number(row, 'Failure Count', int):6d} {number(row, 'Requests/s'):7.2f} "
            f"{number(row, '50%', int):7d} {number(row, '95%', int):7d} "
            f"{number(row, 'Max Response Time', int):7d}"
        )
    print(
        f"  {'all':<26} {requests:8d} {failures:6d} {requests / seconds:7.2f} "
        f"{number(total, '50%', int):7d} {number(total, '95%', int):7d} "
        f"{number(total, 'Max Response Time', int):7d}"
    )
    busy = sum(
        number(stats[n], "Request Count", int) for n in names if n.endswith(BUSY_SUFFIX)
    )

    import_s = imported["end"] - imported["start"]
    overlap = max(
        0.0,
        min(imported["end"], run["load_end"])
        - max(imported["start"], run["load_start"]),
    )
    print("== load: summary")
    figures = {
        "throughput_req_s": requests / seconds,
        "requests": requests,
        "errors": failures,
        "busy_regenerations_expected": busy,
        "p50_ms": number(total, "50%", int),
        "p95_ms": number(total, "95%", int),
        "peak_users": peak,
        "load_s": seconds,
        "import_s": import_s,
        "import_exit_code": imported["rc"],
        "import_overlap_with_load_s": overlap,
        "server_log_errors": len(errors),
        "server_log_warnings": len(warnings),
        "workers_stopped_for_a_limit": len(limits),
    }
    for name, value in figures.items():
        print(
            f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}"
        )
    for line in import_log(args.out / "import.log", imported["rc"]):
        print(f"  import: {line}")
    for line in (errors + limits)[:20]:
        print(f"  server: {line}")

    pages = [p for p in PAGES if p != "Dashboard" or scenario["dashboard"]]
    missing = [p for p in pages if number(stats.get(p, {}), "Request Count", int) == 0]
    p95 = ", ".join(
        f"{p} {number(stats[p], '95%', int)}" for p in pages if p not in missing
    )
    checks = [
        (
            f"{args.users} simulated users for {args.run_time} with {args.workers} server "
            f"workers: {peak} users at the peak, {requests} requests, "
            f"{requests / seconds:.1f} req/s",
            requests > 0 and peak == args.users,
        ),
        (f"0 errors ({failures} failed requests)", failures == 0),
        (
            f"0 ERROR lines in the server log ({len(errors)}), no worker stopped for a "
            f"limit ({len(limits)})",
            not errors and not limits,
        ),
        (
            f"p95 printed per page type (ms): {p95}"
            + (f"; never opened: {', '.join(missing)}" if missing else ""),
            not missing,
        ),
        (
            f"background import of {scenario['import']['files']} CFDI: exit code "
            f"{imported['rc']} in {import_s:.1f} s, {overlap:.0f} s of it under load",
            imported["rc"] == 0 and overlap > 0,
        ),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}: {label}")
    return 0 if all(ok for _label, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
