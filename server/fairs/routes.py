"""Pages of fairs: the home page listing, a fair's page, joining, the organiser's overview."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.fairs import operations, queries
from server.fairs.access import load_fair, require_role
from server.fairs.models import Attendance, Role
from server.features import platform
from server.forms import Form
from server.identity.access import current_user, require_user
from server.templating import render


async def home(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        fairs = await queries.visible_fairs(db, current_user(request))
    return render(request, "fairs/home.html", {"fairs": fairs})


async def fair_page(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await load_fair(db, request.path_params["fair"], current_user(request))
        halls = await queries.hall_summaries(db, context.fair)
        counts = await queries.role_counts(db, context.fair)
    return render(
        request,
        "fairs/fair.html",
        {
            "fair": context.fair,
            "me": context.me,
            "halls": halls,
            "counts": counts,
            "Role": Role,
        },
    )


async def join(request: Request) -> Response:
    user = require_user(request)
    form = await Form.read(request)
    async with platform(request).database.session() as db:
        context = await load_fair(db, request.path_params["fair"], user)
        if context.me is None:
            attendance = (
                Attendance.ONLINE if form.text("attendance") == "online" else Attendance.ONSITE
            )
            await operations.join_as_buyer(db, context.fair, user, attendance)
            await db.commit()
    return RedirectResponse(request.url_for("fair", fair=context.fair.slug), status_code=303)


async def organise(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        people = await queries.participants(db, context.fair)
    return render(request, "fairs/organise.html", {"fair": context.fair, "participants": people})


async def participant_detail(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), Role.ORGANISER
        )
        participant = await queries.participant_in(
            db, context.fair, request.path_params["participant"]
        )
    if participant is None:
        raise HTTPException(404)
    return render(
        request, "fairs/participant.html", {"fair": context.fair, "participant": participant}
    )


routes = [
    Route("/", home, name="home"),
    Route("/fairs/{fair:str}", fair_page, name="fair"),
    Route("/fairs/{fair:str}/join", join, methods=["POST"], name="join_fair"),
    Route("/fairs/{fair:str}/organise", organise, name="organise"),
    Route(
        "/fairs/{fair:str}/organise/participants/{participant:int}",
        participant_detail,
        name="organise_participant",
    ),
]
