"""The organiser's agenda pages: settings, sessions, and the grid of slots and tables."""

from __future__ import annotations

from datetime import date, time

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rooms import queries, setup
from server.fairs.access import require_role
from server.fairs.models import BookingMode, Role
from server.forms import read_form, text, whole_number
from server.i18n import gettext as _
from server.identity.access import current_user
from server.templating import render


async def organise_agenda(
    request: Request, errors: dict | None = None, values: dict | None = None, status: int = 200
) -> Response:
    async with request.app.state.database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        settings = await queries.settings_for(db, context.fair)
        sessions = await queries.sessions(db, context.fair)
        grid = await queries.grid(db, context.fair)
        waiting = await queries.accepted_unscheduled(db, context.fair)
    return render(
        request,
        "rooms/organise_agenda.html",
        {
            "fair": context.fair,
            "settings": settings,
            "sessions": sessions,
            "grid": grid,
            "waiting": waiting,
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


async def save_settings(request: Request) -> Response:
    form = await read_form(request)
    values = {name: text(form, name) for name in form}
    numbers = {
        name: whole_number(text(form, name), 6)
        for name in ("slot_minutes", "break_minutes", "tables", "request_expiry_hours")
    }
    errors = {name: _("Enter a whole number.") for name, value in numbers.items() if value is None}
    optional = {}
    for name in ("max_meetings", "video_rooms"):
        typed = text(form, name).strip()
        optional[name] = whole_number(typed, 6) if typed else None
        if typed and optional[name] is None:
            errors[name] = _("Enter a whole number, or leave it empty.")
    mode = text(form, "booking_mode")
    if mode not in {m.value for m in BookingMode}:
        errors["booking_mode"] = _("Choose how meetings are booked.")
    async with request.app.state.database.write_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        if not errors:
            try:
                await setup.save_settings(
                    db,
                    context.fair,
                    max_meetings=optional["max_meetings"],
                    video_rooms=optional["video_rooms"],
                    booking_mode=BookingMode(mode),
                    **numbers,
                )
                await db.commit()
                return _back(request, context.fair.slug, "settings")
            except setup.SetupError as refused:
                await db.rollback()
                errors = refused.errors
    return await organise_agenda(request, errors, values, 400)


def _parse_time(value: str) -> time | None:
    """A time of day in the fair's zone; None for anything else (a time with an offset too)."""
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        return None
    # An offset such as "09:00+05:00" would not compare with the fair's naive session times
    return parsed if parsed.tzinfo is None else None


async def add_session(request: Request) -> Response:
    form = await read_form(request)
    values = {name: text(form, name) for name in form}
    errors = {}
    try:
        day = date.fromisoformat(text(form, "day").strip())
    except ValueError:
        day = None
        errors["day"] = _("Enter a date.")
    starts, ends = _parse_time(text(form, "starts")), _parse_time(text(form, "ends"))
    if starts is None:
        errors["starts"] = _("Enter a time like 09:30, in the fair's time zone.")
    if ends is None:
        errors["ends"] = _("Enter a time like 13:00, in the fair's time zone.")
    async with request.app.state.database.write_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        if not errors:
            try:
                await setup.add_session(
                    db, context.fair, day=day, starts=starts, ends=ends, label=text(form, "label")
                )
                await db.commit()
                return _back(request, context.fair.slug, "session")
            except setup.SetupError as refused:
                await db.rollback()
                errors = refused.errors
    return await organise_agenda(request, errors, values, 400)


async def delete_session(request: Request) -> Response:
    async with request.app.state.database.write_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        try:
            found = await setup.remove_session(db, context.fair, request.path_params["session"])
            await db.commit()
        except setup.SetupError as refused:
            await db.rollback()
            return await organise_agenda(request, refused.errors, None, 409)
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
