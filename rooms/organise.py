"""The organiser's agenda pages: settings, sessions, and the grid of slots and tables."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rooms import queries, setup
from rooms.video.windows import open_rooms
from server.fairs.access import require_role
from server.fairs.models import BookingMode, Role
from server.features import platform
from server.forms import Form, iso_date, member, time_of_day, whole_number
from server.i18n import gettext as _
from server.identity.access import current_user
from server.templating import render


async def organise_agenda(
    request: Request, errors: dict | None = None, values: dict | None = None, status: int = 200
) -> Response:
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        settings = await queries.settings_for(db, context.fair)
        sessions = await queries.sessions(db, context.fair)
        grid = await queries.grid(db, context.fair)
        waiting = await queries.accepted_unscheduled(db, context.fair)
        now = platform(request).settings.clock()
        open_video = await open_rooms(db, context.fair, grid.video, now)
    return render(
        request,
        "rooms/organise_agenda.html",
        {
            "fair": context.fair,
            "settings": settings,
            "sessions": sessions,
            "grid": grid,
            "waiting": waiting,
            "open_video": open_video,
            "errors": errors or {},
            "values": values or {},
            "lengths": setup.SLOT_LENGTHS,
            "saved": request.query_params.get("saved"),
        },
        status,
    )


async def page(request: Request) -> Response:
    return await organise_agenda(request)


def _back(request: Request, slug: str, saved: str) -> Response:
    url = request.url_for("organise_agenda", fair=slug).include_query_params(saved=saved)
    return RedirectResponse(str(url), status_code=303)


def _count(value: str) -> int | None:
    return whole_number(value, 6)


async def save_settings(request: Request) -> Response:
    form = await Form.read(request)
    numbers = {
        name: form.value(name, _count, _("Enter a whole number."))
        for name in ("slot_minutes", "break_minutes", "tables", "request_expiry_hours")
    }
    limits = {
        name: form.value(name, _count, _("Enter a whole number, or leave it empty."), optional=True)
        for name in ("max_meetings", "video_rooms")
    }
    mode = form.value("booking_mode", member(BookingMode), _("Choose how meetings are booked."))
    if form.ok:  # a form to correct takes no writer's turn
        async with platform(request).database.session() as db:
            context = await require_role(
                db, request.path_params["fair"], current_user(request), Role.ORGANISER
            )
            await form.commit(
                db, setup.save_settings, db, context.fair, booking_mode=mode, **limits, **numbers
            )
        if form.ok:
            return _back(request, context.fair.slug, "settings")
    return await organise_agenda(request, form.errors, form.typed, 400)


async def add_session(request: Request) -> Response:
    form = await Form.read(request)
    day = form.value("day", iso_date, _("Enter a date."))
    starts = form.value(
        "starts", time_of_day, _("Enter a time like 09:30, in the fair's time zone.")
    )
    ends = form.value("ends", time_of_day, _("Enter a time like 13:00, in the fair's time zone."))
    label = form.text("label")
    if form.ok:
        async with platform(request).database.session() as db:
            context = await require_role(
                db, request.path_params["fair"], current_user(request), Role.ORGANISER
            )
            await form.commit(
                db,
                setup.add_session,
                db,
                context.fair,
                day=day,
                starts=starts,
                ends=ends,
                label=label,
            )
        if form.ok:
            return _back(request, context.fair.slug, "session")
    return await organise_agenda(request, form.errors, form.typed, 400)


async def delete_session(request: Request) -> Response:
    form = await Form.read(request)
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        found = await form.commit(
            db, setup.remove_session, db, context.fair, request.path_params["session"]
        )
    if not form.ok:
        return await organise_agenda(request, form.errors, None, 409)
    if not found:
        raise HTTPException(404)
    return _back(request, context.fair.slug, "removed")


routes = [
    Route("/fairs/{fair:str}/organise/agenda", page, name="organise_agenda"),
    Route(
        "/fairs/{fair:str}/organise/agenda/settings",
        save_settings,
        methods=["POST"],
        name="save_agenda_settings",
    ),
    Route(
        "/fairs/{fair:str}/organise/agenda/sessions",
        add_session,
        methods=["POST"],
        name="add_agenda_session",
    ),
    Route(
        "/fairs/{fair:str}/organise/agenda/sessions/{session:int}/delete",
        delete_session,
        methods=["POST"],
        name="delete_agenda_session",
    ),
]
