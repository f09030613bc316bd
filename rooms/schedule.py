"""The organiser's schedule pages: run the optimiser, watch it, preview, publish or discard."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rooms import notices, queries
from rooms.models import RunStatus
from rooms.optimising import preview, runner, runs
from rooms.optimising.publish import publish_run
from server.db import utcnow
from server.fairs.access import require_role
from server.fairs.models import BookingMode, Role
from server.features import platform
from server.forms import Form, whole_number
from server.i18n import gettext as _
from server.identity.access import current_user
from server.templating import render

MAX_SKIPPED_SHOWN = 100


def _done(kind: str | None) -> str | None:
    return {
        "published": _("Published: the meetings are in the agenda and both sides were told."),
        "discarded": _("The preview is discarded."),
    }.get(kind or "")


async def schedule_page(
    request: Request,
    error: str | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    now = utcnow()
    done = request.query_params.get("done")
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        run = await runs.latest_run(db, context.fair)
        waiting = await queries.accepted_unscheduled_count(db, context.fair)
        shown = None
        if run is not None and run.status == RunStatus.DONE:
            shown = await preview.build_preview(db, context.fair, run, now)
        skipped = []
        if done == "published":
            ids = request.query_params.get("skipped", "").split(",")[:MAX_SKIPPED_SHOWN]
            skipped = await preview.cancelled_requests(
                db, context.fair, [n for n in map(whole_number, ids) if n is not None]
            )
    return render(
        request,
        "rooms/organise_schedule.html",
        {
            "fair": context.fair,
            "run": run,
            "running": preview.is_active(run),
            "elapsed": preview.elapsed_seconds(run, now) if run else 0,
            "preview": shown,
            "waiting": waiting,
            "limits": runs.TIME_LIMITS,
            "default_limit": runs.DEFAULT_TIME_LIMIT,
            "on_acceptance": context.fair.booking_mode == BookingMode.ON_ACCEPTANCE,
            "error": error,
            "errors": errors or {},
            "done": _done(done),
            "skipped": skipped,
            "side_names": preview.side_names,
            "failure": preview.failure_in_words(run) if run is not None else "",
        },
        status,
    )


async def page(request: Request) -> Response:
    await _give_up_lost_run(request)
    return await schedule_page(request)


async def _give_up_lost_run(request: Request) -> None:
    """Fail the fair's run at once if the process running it is gone, so that the organiser
    sees why and may start another (a write only when there is one to fail)."""
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        run = await runs.latest_run(db, context.fair)
    now = utcnow()
    if run is not None and runs.is_lost(run, now):
        async with platform(request).database.session() as db:
            await runs.give_up_lost_runs(db, now, context.fair)
            await db.commit()


def _back(request: Request, slug: str, done: str) -> Response:
    url = request.url_for("organise_schedule", fair=slug).include_query_params(done=done)
    return RedirectResponse(str(url), status_code=303)


async def start(request: Request) -> Response:
    form = await Form.read(request)
    limit = form.value(
        "time_limit",
        lambda typed: n if (n := whole_number(typed, 3)) in runs.TIME_LIMITS else None,
        _("Choose one of the offered time limits."),
    )
    if limit is None:
        return await schedule_page(request, status=400, errors=form.errors)
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        waiting = await queries.accepted_unscheduled_count(db, context.fair)
        try:
            run = await runs.start_run(db, context.fair, context.user, limit, waiting)
            await db.commit()
        except runs.RunError as refused:
            await db.rollback()
            return await schedule_page(request, refused.message, 409)
    platform(request).service(runner.SERVICE, runner.Optimiser).launch(run.id)
    url = request.url_for("organise_schedule", fair=context.fair.slug)
    return RedirectResponse(str(url), status_code=303)


async def publish(request: Request) -> Response:
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        try:
            published = await publish_run(db, context.fair, request.path_params["run"])
            await db.commit()
        except LookupError as exc:
            raise HTTPException(404) from exc
        except runs.RunError as refused:
            await db.rollback()
            return await schedule_page(request, refused.message, 409)
    await notices.send(platform(request).hub, published.notices)
    url = request.url_for("organise_schedule", fair=context.fair.slug).include_query_params(
        done="published", skipped=",".join(str(r.id) for r in published.skipped)
    )
    return RedirectResponse(str(url), status_code=303)


async def discard(request: Request) -> Response:
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        try:
            await runs.discard_run(db, context.fair, request.path_params["run"])
            await db.commit()
        except LookupError as exc:
            raise HTTPException(404) from exc
        except runs.RunError as refused:
            await db.rollback()
            return await schedule_page(request, refused.message, 409)
    return _back(request, context.fair.slug, "discarded")


routes = [
    Route("/fairs/{fair:str}/organise/schedule", page, name="organise_schedule"),
    Route(
        "/fairs/{fair:str}/organise/schedule/runs",
        start,
        methods=["POST"],
        name="start_schedule_run",
    ),
    Route(
        "/fairs/{fair:str}/organise/schedule/runs/{run:int}/publish",
        publish,
        methods=["POST"],
        name="publish_schedule_run",
    ),
    Route(
        "/fairs/{fair:str}/organise/schedule/runs/{run:int}/discard",
        discard,
        methods=["POST"],
        name="discard_schedule_run",
    ),
]
