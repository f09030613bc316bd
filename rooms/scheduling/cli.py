"""`fiera schedule solve INSTANCE.json`: print an optimised schedule as JSON."""

from __future__ import annotations

import argparse
import sys

from rooms.scheduling.format import ValidationError, dump_schedule, load_instance
from rooms.scheduling.solver import DEFAULT_TIME_LIMIT, DEFAULT_WORKERS, solve

EXIT_BAD_INPUT = 2


def _positive(text: str) -> float:
    """Parse a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def _workers(text: str) -> int:
    """Parse a worker count of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(
        prog="fiera schedule", description="Schedule B2B meetings into slots and tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="print a schedule for an instance as JSON")
    solve_cmd.add_argument("instance", help="instance JSON file ('-' reads standard input)")
    solve_cmd.add_argument(
        "--time-limit",
        type=_positive,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help="whole time budget (default %(default)s)",
    )
    solve_cmd.add_argument(
        "--workers",
        type=_workers,
        default=DEFAULT_WORKERS,
        metavar="N",
        help="CP-SAT workers; fewer than 2 is raised to 2, since CP-SAT's "
        "neighbourhood search needs two (default %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for a malformed instance)."""
    args = build_parser().parse_args(argv)
    try:
        if args.instance == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(args.instance, "rb") as handle:
                text = handle.read()
    except OSError as exc:
        print(f"fiera schedule: cannot read {args.instance}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        instance = load_instance(text)
    except ValidationError as exc:
        print(f"fiera schedule: invalid instance: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    schedule = solve(instance, time_limit=args.time_limit, workers=args.workers)
    sys.stdout.write(dump_schedule(schedule) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
