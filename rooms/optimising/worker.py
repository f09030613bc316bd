"""The solve, run in a worker process so that the server's event loop keeps answering.

This module imports nothing of the web platform: a spawned worker imports only the optimiser.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait
from typing import Any

# The exit status of a worker whose server went away, to tell it apart in process listings/logs
ORPHANED = 3


def solve_data(instance: dict[str, Any], time_limit: float, workers: int) -> dict[str, Any]:
    """Parse, solve and serialise one instance (runs inside the worker process)."""
    from rooms.scheduling import parse_instance, schedule_to_dict, solve

    return schedule_to_dict(solve(parse_instance(instance), time_limit=time_limit, workers=workers))


def _exit_with_parent() -> None:
    """Exit the worker at once when the process that started it is gone (killed, crashed)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    # The sentinel becomes ready when the parent ends, however it ends (kill -9 included):
    # portable where prctl(PR_SET_PDEATHSIG) is Linux-only. A solve may run for a minute and
    # holds nobody's result any more, so the worker does not finish it.
    watcher = threading.Thread(
        target=lambda: (wait([parent.sentinel]), os._exit(ORPHANED)),
        name="exit-with-parent",
        daemon=True,
    )
    watcher.start()


def new_executor() -> ProcessPoolExecutor:
    """One worker process, started with `spawn` (no copy of the server's threads or sockets),
    that exits as soon as the server does."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
    )
