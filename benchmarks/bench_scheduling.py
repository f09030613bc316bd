"""Benchmark the scheduler: greedy against the optimiser on generated fairs, all validated.

Run: python benchmarks/bench_scheduling.py [--time-limit 30] [--only small] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Let the script run from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rooms.scheduling import greedy, parse_instance, schedule_to_dict, solve
from rooms.scheduling.generate import SHAPES, generate
from rooms.scheduling.validate import validate_schedule

COLUMNS = (
    "instance",
    "requested",
    "bound",
    "w.bound",
    "greedy",
    "g.gaps",
    "solver",
    "s.gaps",
    "s.idle",
    "seconds",
    "status",
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table; exit 1 if any schedule fails validation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SHAPES),
        help="run only this instance (repeatable)",
    )
    args = parser.parse_args(argv)
    names = args.only or list(SHAPES)
    rows = []
    failures = 0
    for name in names:
        instance = parse_instance(generate(name, seed=args.seed))
        base = schedule_to_dict(greedy(instance))
        started = time.monotonic()
        best = schedule_to_dict(solve(instance, args.time_limit, args.workers))
        wall = time.monotonic() - started
        for label, schedule in (("greedy", base), ("solver", best)):
            for error in validate_schedule(instance, schedule):
                failures += 1
                print(f"INVALID {name} {label}: {error}", file=sys.stderr)
        g, s = base["stats"], best["stats"]
        rows.append(
            (
                name,
                s["requested"],
                s["upper_bound"],
                f"{s['weight_upper_bound']:g}",
                f"{g['placed']} ({g['weight']:g})",
                g["idle_gaps"],
                f"{s['placed']} ({s['weight']:g})",
                s["idle_gaps"],
                s["idle_slots"],
                f"{wall:.1f}",
                s["status"],
            )
        )
        print(f"done {name}: {wall:.1f}s", file=sys.stderr)
    widths = [max(len(str(v)) for v in col) for col in zip(COLUMNS, *rows, strict=True)]
    for row in (COLUMNS, *rows):
        print("  ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)))
    print(
        "bound/w.bound: LP upper bounds on placed count/weight; greedy, solver: placed count "
        "(weight); gaps: idle gaps; s.idle: solver idle slots; seconds: solver wall time"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
