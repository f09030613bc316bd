"""The solve, run in a worker process so that the server's event loop keeps answering.

This module imports nothing of the web platform: a spawned worker imports only the optimiser.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def solve_data(instance: dict[str, Any], time_limit: float, workers: int) -> dict[str, Any]:
    """Parse, solve and serialise one instance (runs inside the worker process)."""
    from rooms.scheduling import parse_instance, schedule_to_dict, solve

    return schedule_to_dict(solve(parse_instance(instance), time_limit=time_limit, workers=workers))


def new_executor() -> ProcessPoolExecutor:
    """One worker process, started with `spawn`: no copy of the server's threads or sockets."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
