"""The seeded demo served by uvicorn in a thread of its own, for synchronous test clients.

Hypothesis drives plain functions: the server keeps its own event loop in another thread, so a
test can make blocking requests while the server answers them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import traceback
from dataclasses import replace
from pathlib import Path

from server.app import create_app, seed_demo
from server.db import Database
from server.identity.passwords import Passwords
from tests.support import databases
from tests.support.live import serve

# Where the app logs what it did not handle: its own error handler, and uvicorn's last resort.
ERROR_LOGGERS = ("fiera", "uvicorn.error")


PROJECT = Path(__file__).resolve().parents[2]


def is_ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(PROJECT) and ".venv" not in path.parts


class ErrorLog(logging.Handler):
    """Keeps the tracebacks the server logs, so a 500 can be reported with its cause."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.entries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            _, error, tb = record.exc_info
            frames = traceback.extract_tb(tb)
            # the innermost frames of our own code say where the value did harm; a driver's
            # frames below them only say how
            ours = [frame for frame in frames if is_ours(frame.filename)][-3:]
            where = " <- ".join(
                f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno}"
                f" {frame.name}"
                for frame in reversed(ours or frames[-3:])
            )
            message = (str(error).splitlines() or [""])[0][:200]
            self.entries.append(f"{type(error).__name__}: {message} at {where}")
        else:
            self.entries.append(record.getMessage()[:300])


class ServedDemo:
    """A fresh database seeded with the demo, served on 127.0.0.1 until `stop`."""

    def __init__(self, backend: str, var_dir: Path, settings_factory):
        self.backend = backend
        self.var_dir = var_dir
        self.settings_factory = settings_factory
        self.url = ""
        self.routes: list = []
        self.errors = ErrorLog()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name=f"served-{backend}", daemon=True)

    def start(self) -> ServedDemo:
        for name in ERROR_LOGGERS:
            logging.getLogger(name).addHandler(self.errors)
        self._thread.start()
        self._ready.wait(120)
        if self._failure is not None:
            raise RuntimeError("the demo server did not start") from self._failure
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(120)
        for name in ERROR_LOGGERS:
            logging.getLogger(name).removeHandler(self.errors)
        if self._failure is not None:
            raise RuntimeError("the demo server failed") from self._failure

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as failure:  # reported by start/stop in the test's thread
            self._failure = failure
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        url = await databases.create_migrated_database(self.backend, self.var_dir)
        try:
            settings = self.settings_factory(url, self.var_dir)
            database = Database.from_url(url)
            async with database.session() as session:
                await seed_demo(session, Passwords(settings), settings.upload_dir)
            app = create_app(replace(settings, presence_grace_seconds=0.3), database)
            self.routes = list(app.other_asgi_app.routes)
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            async with serve(app) as base_url:
                self.url = base_url
                self._ready.set()
                await self._stop.wait()
        finally:
            await databases.drop_database(url)
