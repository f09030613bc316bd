"""The video room pages: the device check, a room (lobby and call), and ending a room."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rooms.video import attendance
from rooms.video.access import RoomAccess, RoomDenied, room_access
from rooms.video.live import VideoRooms
from server.errors import error_response
from server.fairs.access import require_role
from server.fairs.models import Role
from server.features import platform
from server.i18n import gettext as _
from server.identity.access import current_user
from server.refusals import Forbidden
from server.templating import render
from server.video import SERVICE


def N_(text: str) -> str:
    """Mark `text` for translation when it is used (pybabel extracts N_)."""
    return text


# Translated words the browser client needs (web/static/js/room/): name -> English source.
# The client engineer extends this; each entry is translated when a page is rendered.
STRINGS: dict[str, str] = {
    "join": N_("Join"),
    "leave": N_("Leave"),
    "mute": N_("Mute"),
    "unmute": N_("Unmute"),
    "camera_off": N_("Turn camera off"),
    "camera_on": N_("Turn camera on"),
    "share_screen": N_("Share screen"),
    "stop_sharing": N_("Stop sharing"),
    "send": N_("Send"),
    "chat": N_("Chat"),
    "moderator": N_("Moderator"),
    "opens_in": N_("The room opens in %(time)s."),
    "time_left": N_("%(time)s left"),
    "ending_soon": N_("The meeting ends in two minutes."),
    "reconnecting": N_("Connection lost. Reconnecting…"),
    "camera_denied": N_("The browser was not allowed to use your camera or microphone."),
    "camera_busy": N_("Your camera or microphone is in use by another application."),
    "camera_missing": N_("No camera or microphone was found."),
    "waiting": N_("Waiting for the others to join."),
    "closed": N_("This room has closed."),
    "quality_good": N_("Good connection"),
    "quality_poor": N_("Poor connection"),
}


def strings() -> dict[str, str]:
    """The client's strings in the page's language."""
    return {name: _(text) for name, text in STRINGS.items()}


def _others(request: Request, access: RoomAccess) -> list[dict]:
    """The card of each other person of the meeting (not me, not my firm's colleagues)."""
    mine = access.user.firm_id
    booths = "firm_booth" in {getattr(r, "name", None) for r in request.app.routes}
    cards = []
    for person in access.people:
        if person.id == access.me.id:
            continue
        firm = person.user.firm
        if mine is not None and firm is not None and firm.id == mine:
            continue
        booth_url = None
        if booths and firm is not None and person.role == Role.EXHIBITOR:
            booth_url = str(request.url_for("firm_booth", fair=access.fair.slug, firm=firm.id))
        cards.append(
            {
                "name": person.user.name,
                "firm": firm.name if firm else "",
                "region": firm.region if firm else "",
                "website": firm.website if firm else "",
                "booth_url": booth_url,
            }
        )
    return cards


async def device_check(request: Request) -> Response:
    """Try camera and microphone through the server and back."""
    async with platform(request).database.read_session() as db:
        context = await require_role(db, request.path_params["fair"], current_user(request), *Role)
    return render(
        request,
        "rooms/device_check.html",
        {
            "fair": context.fair,
            "ice_servers": list(platform(request).settings.ice_servers),
            "strings": strings(),
        },
    )


async def video_room(request: Request) -> Response:
    """A room: the lobby until it opens, then the call (the client joins over /rooms)."""
    settings = platform(request).settings
    try:
        async with platform(request).database.read_session() as db:
            access = await room_access(
                db,
                request.path_params["fair"],
                current_user(request),
                request.path_params["room"],
                settings.clock(),
            )
    except RoomDenied as refused:
        return error_response(request, refused.status, refused.message)
    window = access.window
    return render(
        request,
        "rooms/room.html",
        {
            "fair": access.fair,
            "room": access.token,
            "role": access.role.value,
            "kind": access.kind,
            "meeting": access.meeting,
            "opens_at": window.opens_at if window else None,
            "ends_at": window.ends_at if window else None,
            "warn_at": window.warn_at if window else None,
            "closes_at": window.closes_at if window else None,
            "others": _others(request, access),
            "ice_servers": list(settings.ice_servers),
            "strings": strings(),
        },
    )


async def end_room(request: Request) -> Response:
    """An organiser ends a room for everyone in it."""
    settings = platform(request).settings
    now = settings.clock()
    try:
        async with platform(request).database.session() as db:
            access = await room_access(
                db,
                request.path_params["fair"],
                current_user(request),
                request.path_params["room"],
                now,
            )
            if not access.moderator:
                raise Forbidden(_("Only the fair's organisers can end a room."))
            await attendance.end_room(db, access, now)
            await db.commit()
    except RoomDenied as refused:
        return error_response(request, refused.status, refused.message)
    await platform(request).service(SERVICE, VideoRooms).close_room(access.token, "ended")
    url = request.url_for("fair", fair=access.fair.slug)
    return RedirectResponse(str(url), status_code=303)


routes = [
    # before the room's route: "check" is not a room
    Route("/fairs/{fair:str}/rooms/check", device_check, name="device_check"),
    Route("/fairs/{fair:str}/rooms/{room:str}", video_room, name="video_room"),
    Route("/fairs/{fair:str}/rooms/{room:str}/end", end_room, methods=["POST"], name="end_room"),
]
