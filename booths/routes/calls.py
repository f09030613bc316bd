"""Talk now: the page where a visitor rings a booth's online staff and waits for an answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booths import queries
from booths.routes.paths import booth_of
from server.features import platform
from server.i18n import gettext as _
from server.identity.access import require_user
from server.refusals import Forbidden
from server.templating import render


async def talk_now(request: Request) -> Response:
    require_user(request)
    async with platform(request).database.read_session() as db:
        context = await booth_of(request, db)
        if context.me is None:
            raise Forbidden(_("Only the fair's participants can call a booth."))
        if context.is_staff:
            raise Forbidden(_("You are on this booth's staff."))
        staff = await queries.staff(db, context.booth)
    statuses = platform(request).hub.presence.statuses(context.fair.id, [p.user_id for p in staff])
    return render(
        request,
        "booths/talk.html",
        {
            "fair": context.fair,
            "me": context.me,
            "booth": context.booth,
            "staff": staff,
            "statuses": statuses,
            "present": sum(1 for status in statuses.values() if status != "offline"),
            "ring_seconds": int(platform(request).settings.call_ring_seconds),
        },
    )


routes = [Route("/fairs/{fair:str}/booths/{booth:str}/talk", talk_now, name="talk_now")]
