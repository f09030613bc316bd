"""Pages of meetings: requests, the request form, a participant's agenda and calendar files."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rooms import ics, notices, operations, pairs, queries, setup
from rooms.errors import FreeSlot, MeetingError, NotFound
from rooms.models import Slot
from rooms.organise import routes as organise_routes
from rooms.schedule import routes as schedule_routes
from rooms.video.live import VideoRooms
from rooms.video.routes import routes as video_routes
from rooms.video.windows import open_rooms
from server import video
from server.db import utcnow
from server.fairs.access import FairContext, require_role
from server.fairs.models import Attendance, Fair
from server.features import platform
from server.forms import Form, whole_number
from server.i18n import gettext as _
from server.identity.access import current_user
from server.templating import render

PARTICIPANTS = queries.MEETING_ROLES
DONE = {"sent", "accepted", "declined", "cancelled", "availability"}


def done_message(kind: str | None) -> str | None:
    return {
        "sent": _("Your request is sent. You will be told when the firm answers."),
        "accepted": _("Accepted. The meeting is in your agenda."),
        "declined": _("The request is declined; the sender sees your reason."),
        "cancelled": _("Cancelled. The other side has been told."),
        "availability": _("Your availability is saved."),
    }.get(kind or "")


async def meetings_page(
    request: Request,
    error: MeetingError | None = None,
    error_request: int | None = None,
    status: int = 200,
) -> Response:
    now = utcnow()
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), *PARTICIPANTS
        )
        lists = await queries.requests_of(db, context.fair, context.me)
        booked = [item.meeting for item in lists.accepted if item.meeting is not None]
        joinable = await open_rooms(db, context.fair, booked, platform(request).settings.clock())
        offers: dict[int, list[Slot] | list[FreeSlot]] = {}
        for item in lists.incoming:
            if item.expires_at > now:
                offers[item.id] = await queries.free_common_slots(
                    db, context.fair, [item.sender, context.me], now
                )
    if error is not None and error.free_slots and error_request is not None:
        offers[error_request] = error.free_slots
    return render(
        request,
        "rooms/meetings.html",
        {
            "fair": context.fair,
            "me": context.me,
            "lists": lists,
            "offers": offers,
            "now": now,
            "error": error,
            "error_request": error_request,
            "done": done_message(request.query_params.get("done")),
            "on_acceptance": context.fair.booking_mode == "on_acceptance",
            "open_rooms": joinable,
        },
        status,
    )


async def meetings(request: Request) -> Response:
    return await meetings_page(request)


def _back(request: Request, fair: Fair, done: str, to: str = "meetings") -> Response:
    url = request.url_for(to, fair=fair.slug).include_query_params(done=done)
    return RedirectResponse(str(url), status_code=303)


async def _act(request: Request, action, done: str) -> Response:
    """Run one competing action in a write transaction; refusals re-render the page."""
    form = await Form.read(request)
    item_id = request.path_params.get("request") or request.path_params.get("meeting")
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), *PARTICIPANTS
        )
        try:
            outcome = await action(db, context, form, item_id)
            await db.commit()
        except NotFound as exc:
            raise HTTPException(404) from exc
        except MeetingError as refused:
            await db.rollback()
            return await meetings_page(request, refused, request.path_params.get("request"), 409)
    await notices.send(platform(request).hub, outcome.notices)
    if done == "cancelled":  # a cancelled meeting's video room closes at once
        await platform(request).service(video.SERVICE, VideoRooms).close_cancelled()
    return _back(request, context.fair, done)


async def accept(request: Request) -> Response:
    async def action(db, context: FairContext, form, request_id):
        slot_id = whole_number(form.text("slot"))
        return await operations.accept_request(db, context.fair, context.me, request_id, slot_id)

    return await _act(request, action, "accepted")


async def decline(request: Request) -> Response:
    async def action(db, context: FairContext, form, request_id):
        reason = form.text("reason")
        return await operations.decline_request(db, context.fair, context.me, request_id, reason)

    return await _act(request, action, "declined")


async def cancel(request: Request) -> Response:
    async def action(db, context: FairContext, form, request_id):
        reason = form.text("reason")
        return await operations.cancel_request(db, context.fair, context.me, request_id, reason)

    return await _act(request, action, "cancelled")


async def cancel_meeting(request: Request) -> Response:
    async def action(db, context: FairContext, form, meeting_id):
        reason = form.text("reason")
        return await operations.cancel_meeting(db, context.fair, context.me, meeting_id, reason)

    return await _act(request, action, "cancelled")


async def new_request(request: Request) -> Response:
    """The form that asks a firm for a meeting (`?firm=` names it, from a booth or a profile)."""
    errors: dict[str, str] = {}
    open_request: int | None = None
    form = await Form.read(request) if request.method == "POST" else None
    firm_id = whole_number(form.text("firm") if form else request.query_params.get("firm", ""))
    message = form.text("message") if form else ""
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), *PARTICIPANTS
        )
        if form is not None:
            try:
                outcome = await operations.send_request(
                    db, context.fair, context.me, firm_id or 0, message
                )
                await db.commit()
            except MeetingError as refused:  # nothing was written: no rollback
                errors[refused.field] = refused.message
                open_request = refused.open_request
            else:
                await notices.send(platform(request).hub, outcome.notices)
                return _back(request, context.fair, "sent")
        elif firm_id:  # say at once that a request is open, before anything is typed
            found = await pairs.open_request(db, context.fair.id, context.me, firm_id)
            open_request = found.id if found is not None else None
        firms = await queries.firms_taking_part(db, context.fair)
        my_firm = await queries.firm_id_of(db, context.me)
    firms = [f for f in firms if f.id != my_firm]
    chosen = next((f for f in firms if f.id == firm_id), None)
    return render(
        request,
        "rooms/request.html",
        {
            "fair": context.fair,
            "firms": firms,
            "chosen": chosen,
            "message": message,
            "errors": errors,
            "open_request": open_request,
        },
        400 if errors else 200,
    )


async def agenda(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), *PARTICIPANTS
        )
        meetings = await queries.agenda(db, context.fair, context.me)
        sessions = await queries.sessions(db, context.fair)
        blocked = await queries.unavailable_slot_ids(db, context.me)
        joinable = await open_rooms(db, context.fair, meetings, platform(request).settings.clock())
    secret = platform(request).settings.secret_key
    token = ics.feed_token(secret, context.fair.id, context.me.id)
    feed = request.url_for(
        "agenda_feed", fair=context.fair.slug, participant=context.me.id, token=token
    )
    return render(
        request,
        "rooms/agenda.html",
        {
            "fair": context.fair,
            "me": context.me,
            "meetings": meetings,
            "sessions": sessions,
            "blocked": blocked,
            "booked": {m.slot_id: m for m in meetings},
            "feed_url": str(feed),
            "others": ics.others,
            "open_rooms": joinable,
            "done": done_message(request.query_params.get("done")),
        },
    )


async def save_availability(request: Request) -> Response:
    form = await Form.read(request)
    attendance = Attendance.ONLINE if form.text("attendance") == "online" else Attendance.ONSITE
    blocked = set(form.whole_numbers("unavailable"))
    async with platform(request).database.session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), *PARTICIPANTS
        )
        if not context.fair.hybrid:
            attendance = Attendance.ONSITE
        await setup.set_availability(db, context.fair, context.me, attendance, blocked)
        await db.commit()
    return _back(request, context.fair, "availability", "agenda")


def _calendar_response(body: str, filename: str) -> Response:
    return Response(
        body,
        media_type=ics.MEDIA_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


async def meeting_ics(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await require_role(
            db, request.path_params["fair"], current_user(request), *PARTICIPANTS
        )
        meeting = await queries.meeting_for(
            db, context.fair, context.me, request.path_params["meeting"]
        )
    if meeting is None:
        raise HTTPException(404)
    event = ics.event(meeting, context.fair, context.me.id, utcnow())
    body = ics.calendar(context.fair.name, [event])
    return _calendar_response(body, f"meeting-{meeting.id}.ics")


async def agenda_feed(request: Request) -> Response:
    """A participant's whole agenda for calendar apps; the token in the URL is the key."""
    secret = platform(request).settings.secret_key
    participant_id = request.path_params["participant"]
    async with platform(request).database.read_session() as db:
        fair = await queries.feed_fair(db, request.path_params["fair"], participant_id)
        if fair is None or not ics.check_feed_token(
            secret, fair.id, participant_id, request.path_params["token"]
        ):
            raise HTTPException(404)
        meetings = await queries.feed_meetings(db, fair, participant_id)
    now = utcnow()
    body = ics.calendar(fair.name, [ics.event(m, fair, participant_id, now) for m in meetings])
    return _calendar_response(body, f"{fair.slug}-agenda.ics")


routes = [
    Route("/fairs/{fair:str}/meetings", meetings, name="meetings"),
    Route(
        "/fairs/{fair:str}/meetings/new",
        new_request,
        methods=["GET", "POST"],
        name="request_meeting",
    ),
    Route(
        "/fairs/{fair:str}/meetings/requests/{request:int}/accept",
        accept,
        methods=["POST"],
        name="accept_request",
    ),
    Route(
        "/fairs/{fair:str}/meetings/requests/{request:int}/decline",
        decline,
        methods=["POST"],
        name="decline_request",
    ),
    Route(
        "/fairs/{fair:str}/meetings/requests/{request:int}/cancel",
        cancel,
        methods=["POST"],
        name="cancel_request",
    ),
    Route(
        "/fairs/{fair:str}/meetings/{meeting:int}/cancel",
        cancel_meeting,
        methods=["POST"],
        name="cancel_meeting",
    ),
    Route("/fairs/{fair:str}/meetings/{meeting:int}/calendar.ics", meeting_ics, name="meeting_ics"),
    Route("/fairs/{fair:str}/agenda", agenda, name="agenda"),
    Route(
        "/fairs/{fair:str}/agenda/availability",
        save_availability,
        methods=["POST"],
        name="save_availability",
    ),
    Route(
        "/fairs/{fair:str}/agenda/feed/{participant:int}/{token:str}.ics",
        agenda_feed,
        name="agenda_feed",
    ),
    *organise_routes,
    *schedule_routes,
    *video_routes,
]
