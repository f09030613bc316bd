"""The optimiser's processes: a killed server takes its solver with it, and its run is failed
at once (on the next look at the page, or at the next start-up) instead of blocking the fair."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from rooms import jobs, operations, setup
from rooms.models import RunStatus, ScheduleRun
from rooms.optimising import runner, runs
from server.app import create_app
from server.db import Database
from server.fairs.models import Attendance, BookingMode
from server.identity.passwords import Passwords
from tests.rooms.conftest import NOW, build_world
from tests.support.factories import PASSWORD
from tests.support.live import serve
from tests.support.pages import log_in, submit, visible_text
from tests.support.settings import make_settings

STOPPED = "The optimiser stopped unexpectedly; start it again."

SERVER = """
import sys
import uvicorn
from pathlib import Path
from server.app import create_app
from tests.support.settings import make_settings
url, var_dir, port = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
app = create_app(make_settings(url, var_dir))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


async def slow_to_solve(database: Database, settings) -> object:
    """An organiser-mode fair whose schedule keeps the optimiser busy for its whole time limit:
    the buyer's idle gap cannot be closed (Alpha can only do the first slot, Beta only the
    third), so local search runs until the clock while one movable meeting remains."""
    async with database.session() as db:
        w = await build_world(db, Passwords(settings), booking_mode=BookingMode.ORGANISER)
        for sender, firm_name, answerer in [
            (w.buyer, "Alpha Srl", w.alpha),
            (w.buyer, "Beta Ltd", w.beta),
            (w.outsider, "Alpha Srl", w.alpha2),
        ]:
            sent = await operations.send_request(
                db, w.fair, sender, w.firms[firm_name].id, "", now=NOW
            )
            await operations.accept_request(db, w.fair, answerer, sent.request.id, now=NOW)
        slots = [slot.id for slot in w.slots]
        await setup.set_availability(
            db, w.fair, w.alpha, Attendance.ONSITE, set(slots) - {slots[0]}
        )
        await setup.set_availability(db, w.fair, w.beta, Attendance.ONSITE, set(slots) - {slots[2]})
        await db.commit()
    return w


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def solver_of(pid: int) -> int | None:
    """The spawned optimiser worker among the server's children."""
    for child in children_of(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            return child
    return None


def running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow  # starts and kills processes
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
async def test_a_killed_server_takes_its_solver_along_and_its_run_fails_at_once(fresh_url, var_dir):
    settings = make_settings(fresh_url, var_dir)
    database = Database.from_url(fresh_url)
    w = await slow_to_solve(database, settings)
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SERVER,
        fresh_url,
        str(var_dir),
        str(port),
        env=os.environ | {"PYTHONPATH": str(Path.cwd())},
    )
    worker = None
    try:
        url = f"http://127.0.0.1:{port}"
        page_url = f"/fairs/{w.fair.slug}/organise/schedule"
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(200):
                try:
                    await client.get("/login")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            await log_in(client, w.users["organiser"].email, PASSWORD)
            started = await submit(client, page_url, {"time_limit": "60"}, f"{page_url}/runs")
            assert started.status_code == 303
        for _ in range(300):  # the worker is spawned and the run claimed
            worker = worker or solver_of(server.pid)
            async with database.session() as db:
                status = await db.scalar(select(ScheduleRun.status))
            if worker and status == RunStatus.RUNNING:
                break
            await asyncio.sleep(0.1)
        assert worker is not None and status == RunStatus.RUNNING
        await asyncio.sleep(1.5)  # well inside the solve, which lasts about 40 s
        assert running(worker)

        server.send_signal(signal.SIGKILL)
        await server.wait()
        for _ in range(50):
            if not running(worker):
                break
            await asyncio.sleep(0.1)
        assert not running(worker), "the solver outlived its server"
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
        if worker is not None and running(worker):
            os.kill(worker, signal.SIGKILL)

    # The next look at the page: the run is failed, and a new one starts.
    app = create_app(settings, database)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            await log_in(client, w.users["organiser"].email, PASSWORD)
            page = visible_text((await client.get(page_url)).text)
            assert STOPPED in page and "The optimiser is running" not in page
            again = await submit(client, page_url, {"time_limit": "3"}, f"{page_url}/runs")
            assert again.status_code == 303
    finally:
        await app.other_asgi_app.state.platform.services[runner.SERVICE].stop()
        await database.dispose()


async def test_start_up_fails_the_runs_a_previous_process_left_running(db, passwords, app):
    w = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    run = await runs.start_run(db, w.fair, w.users["organiser"], 60, 1, now=NOW)
    child = await asyncio.create_subprocess_exec("true")
    await child.wait()  # the previous server process, ended
    run.owner = f"{socket.gethostname()}:{child.pid}:0123456789ab"
    await db.commit()
    await jobs.run_once(
        app.other_asgi_app.state.platform.database, app.other_asgi_app.state.platform.hub, NOW
    )
    await db.refresh(run)
    assert (run.status, run.error) == (RunStatus.FAILED, runs.STOPPED)


@pytest.mark.slow  # starts and kills processes
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
async def test_a_dead_solver_fails_its_run_and_the_next_run_gets_a_new_one(fresh_url, var_dir):
    settings = make_settings(fresh_url, var_dir)
    database = Database.from_url(fresh_url)
    w = await slow_to_solve(database, settings)
    page_url = f"/fairs/{w.fair.slug}/organise/schedule"
    try:
        async with (
            serve(create_app(settings, database)) as url,
            httpx.AsyncClient(base_url=url) as client,
        ):
            await log_in(client, w.users["organiser"].email, PASSWORD)
            started = await submit(client, page_url, {"time_limit": "60"}, f"{page_url}/runs")
            assert started.status_code == 303
            worker = None
            for _ in range(300):
                worker = solver_of(os.getpid())
                if worker is not None:
                    break
                await asyncio.sleep(0.1)
            assert worker is not None
            await asyncio.sleep(1.5)
            os.kill(worker, signal.SIGKILL)  # out of memory, say
            for _ in range(100):
                page = visible_text((await client.get(page_url)).text)
                if "The optimiser is" not in page:
                    break
                await asyncio.sleep(0.1)
            assert STOPPED in page
            again = await submit(client, page_url, {"time_limit": "3"}, f"{page_url}/runs")
            assert again.status_code == 303
            for _ in range(300):
                page = visible_text((await client.get(page_url)).text)
                if "The optimiser is" not in page:
                    break
                await asyncio.sleep(0.1)
            assert "Proposed schedule" in page and "Meetings placed 3" in page
    finally:
        await database.dispose()
