"""GET /healthz: is the process up, and does the database answer?"""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.features import platform


async def healthz(request: Request) -> JSONResponse:
    database = "ok"
    try:
        async with platform(request).database.read_session() as db:
            await db.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not healthy", reported rather than raised
        database = f"error: {type(exc).__name__}"
    status = 200 if database == "ok" else 503
    return JSONResponse(
        {"status": "ok" if status == 200 else "degraded", "database": database},
        status_code=status,
        headers={"cache-control": "no-store"},
    )


routes = [Route("/healthz", healthz, name="healthz")]
