"""The real application served by uvicorn on 127.0.0.1, port 0, inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn


@contextlib.asynccontextmanager
async def serve(app):
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
