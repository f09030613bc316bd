"""Pages every visitor sees: halls, the booth directory, a booth, its documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from booths import chat, operations, queries
from booths.models import DocumentKind
from booths.routes.paths import booth_of
from server.fairs.access import load_fair
from server.fairs.models import Participant
from server.features import platform
from server.forms import query_text, whole_number
from server.identity.access import current_user, require_user
from server.templating import render

# Meetings are another feature's: the booth page asks it through the platform, by name.
OPEN_REQUESTS = "open-requests"


@runtime_checkable
class OpenRequests(Protocol):
    async def open_request_id(
        self, db: AsyncSession, fair_id: int, me: Participant, firm_id: int
    ) -> int | None: ...


async def open_request(request: Request, db: AsyncSession, me: Participant, booth) -> int | None:
    """The meeting request open between the visitor and the booth's firm, where meetings exist."""
    lookup = platform(request).services.get(OPEN_REQUESTS)
    if not isinstance(lookup, OpenRequests):  # no meetings in this app
        return None
    return await lookup.open_request_id(db, booth.fair_id, me, booth.firm_id)


def presence(request: Request, fair_id: int, user_ids: list[int]) -> Mapping[int, str]:
    """Each user's status as the realtime hub knows it."""
    return platform(request).hub.presence.statuses(fair_id, user_ids)


def _filters(request: Request) -> queries.DirectoryFilter:
    params = request.query_params
    page = whole_number(params.get("page", "")) or 1
    return queries.DirectoryFilter(
        hall=query_text(params.get("hall"), 80),
        country=query_text(params.get("country"), 2),
        sector=query_text(params.get("sector"), 80),
        q=query_text(params.get("q"), 200),
        page=max(1, min(page, 10_000)),
    )


async def _listing(request: Request, db, fair, filters, include_hidden: bool) -> dict:
    result = await queries.directory(db, fair, filters, include_hidden=include_hidden)
    staff_ids = await queries.staff_by_booth(db, result.booths)
    statuses = presence(request, fair.id, [u for ids in staff_ids.values() for u in ids])
    online = {
        booth_id: sum(1 for user in ids if statuses[user] == "online")
        for booth_id, ids in staff_ids.items()
    }
    return {"result": result, "staff_ids": staff_ids, "online": online}


async def hall(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await load_fair(db, request.path_params["fair"], current_user(request))
        found = await queries.hall_in(db, context.fair, request.path_params["hall"])
        if found is None:
            raise HTTPException(404)
        filters = queries.DirectoryFilter(hall=found.slug, page=_filters(request).page)
        listing = await _listing(request, db, context.fair, filters, context.is_organiser)
    return render(
        request,
        "booths/hall.html",
        {
            "fair": context.fair,
            "me": context.me,
            "hall": found,
            "filters": filters,
            **listing,
        },
    )


async def directory(request: Request) -> Response:
    filters = _filters(request)
    async with platform(request).database.read_session() as db:
        context = await load_fair(db, request.path_params["fair"], current_user(request))
        listing = await _listing(request, db, context.fair, filters, context.is_organiser)
        countries = await queries.countries(db, context.fair)
    return render(
        request,
        "booths/directory.html",
        {
            "fair": context.fair,
            "me": context.me,
            "filters": filters,
            "countries": countries,
            **listing,
        },
    )


async def booth_page(request: Request) -> Response:
    database = platform(request).database
    async with database.read_session() as db:
        context = await booth_of(request, db)
        booth = context.booth
        staff = await queries.staff(db, booth)
        unread = 0
        if context.is_staff:
            unread = await chat.unread_total(db, booth, context.user)
        conversation = messages = asked = None
        has_more = False
        if context.me is not None and not context.is_staff:
            conversation = await chat.conversation_of(db, booth, context.me)
            if conversation is not None:
                messages, has_more = await chat.history(db, conversation)
            asked = await open_request(request, db, context.me, booth)
    # a lead is a participant who may do business: not the booth's staff, not organisers
    prospect = context.me is not None and not (context.is_staff or context.is_organiser)
    if prospect and context.user.share_visits:
        async with database.session() as db:
            await operations.record_visit(db, booth, context.me)
            await db.commit()
    statuses = presence(request, context.fair.id, [p.user_id for p in staff])
    return render(
        request,
        "booths/booth.html",
        {
            "fair": context.fair,
            "me": context.me,
            "booth": booth,
            "staff": staff,
            "statuses": statuses,
            "is_staff": context.is_staff,
            "can_edit": context.can_edit,
            "is_organiser": context.is_organiser,
            "unread": unread,
            "conversation": conversation,
            "messages": messages or [],
            "has_more": has_more,
            "open_request": asked,
        },
    )


async def document(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await booth_of(request, db)
    found = next(
        (d for d in context.booth.documents if d.id == request.path_params["document"]), None
    )
    if found is None:
        raise HTTPException(404)
    path = platform(request).settings.upload_dir / found.storage_key
    disposition = "inline" if found.kind == DocumentKind.IMAGE else "attachment"
    return FileResponse(
        path,
        media_type=found.content_type,
        filename=found.filename,
        content_disposition_type=disposition,
        headers={
            # never run anything an upload might carry, whatever a browser guesses
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "cache-control": "private, max-age=3600",
        },
    )


async def my_booth(request: Request) -> Response:
    """An exhibitor's way to their own booth."""
    user = require_user(request)
    async with platform(request).database.read_session() as db:
        context = await load_fair(db, request.path_params["fair"], user)
        booth = await queries.booth_of_firm(db, context.fair, user.firm_id)
    if booth is None:
        raise HTTPException(404)
    return RedirectResponse(
        request.url_for("booth", fair=context.fair.slug, booth=booth.slug), status_code=303
    )


async def firm_booth(request: Request) -> Response:
    """A firm's booth at this fair, for features that know the firm (agendas, requests)."""
    async with platform(request).database.read_session() as db:
        context = await load_fair(db, request.path_params["fair"], current_user(request))
        booth = await queries.booth_of_firm(db, context.fair, request.path_params["firm"])
    if booth is None or (booth.hidden and not context.is_organiser):
        raise HTTPException(404)
    return RedirectResponse(
        request.url_for("booth", fair=context.fair.slug, booth=booth.slug), status_code=303
    )


routes = [
    Route("/fairs/{fair:str}/my-booth", my_booth, name="my_booth"),
    Route("/fairs/{fair:str}/firms/{firm:int}/booth", firm_booth, name="firm_booth"),
    Route("/fairs/{fair:str}/halls/{hall:str}", hall, name="hall"),
    Route("/fairs/{fair:str}/booths", directory, name="booths"),
    Route("/fairs/{fair:str}/booths/{booth:str}", booth_page, name="booth"),
    Route(
        "/fairs/{fair:str}/booths/{booth:str}/documents/{document:int}",
        document,
        name="booth_document",
    ),
]
