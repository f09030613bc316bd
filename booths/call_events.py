"""The /calls namespace: talk now at a booth — ring the online staff, accept, decline, hang up.

Client → server: `ring {booth}`, `accept {call}`, `decline {call}`, `cancel {call}`,
`status {call}` (the caller's, after a reconnect).
Server → client: `ring` (to each staff member rung), `ring-over {call, reason}` (to them when
the call was taken, declined, missed or cancelled), `call {call, status, ...}` (to the visitor).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from booths import calls, queries
from booths.access import BoothContext, load_booth
from booths.models import BoothCall, CallStatus
from server.fairs.models import Fair
from server.features import Platform
from server.i18n import gettext as _
from server.identity.models import User
from server.realtime.hub import AuthenticatedNamespace, EntityId, Strict, handler, user_room
from server.realtime.ratelimit import Limit
from server.refusals import Denied, NotFound
from server.video import SERVICE, AdHocRooms

logger = logging.getLogger("fiera.calls")
NAMESPACE = "/calls"


class BoothRef(Strict):
    booth: EntityId


class CallRef(Strict):
    call: EntityId


def ring_payload(call: BoothCall) -> dict:
    """What a rung staff member's dialog shows."""
    visitor = call.visitor.user
    return {
        "call": call.id,
        "booth": call.booth_id,
        "fair": call.fair_id,
        "visitor": visitor.name,
        "firm": visitor.firm.name if visitor.firm else "",
        "ring_until": call.ring_until.isoformat(),
    }


def visitor_payload(call: BoothCall, fair_slug: str) -> dict:
    """What the caller is told about their call."""
    payload: dict = {"call": call.id, "booth": call.booth_id, "status": str(call.status)}
    if call.status == CallStatus.ACCEPTED and call.answered_by is not None:
        payload.update(room=call.room, fair=fair_slug, by=call.answered_by.user.name)
    return payload


async def tell_ended(platform: Platform, call: BoothCall, fair_slug: str, skip_sid=None) -> None:
    """Tell the caller and every staff member rung that a call stopped ringing, and why."""
    sio = platform.hub.sio
    await sio.emit(
        "call",
        visitor_payload(call, fair_slug),
        room=user_room(call.visitor.user_id),
        namespace=NAMESPACE,
        skip_sid=skip_sid,
    )
    answerer = call.answered_by.user_id if call.answered_by else None
    for ring in call.rings:
        reason = "answered" if ring.user_id == answerer else str(call.status)
        if reason == "accepted":
            reason = "taken"  # by a colleague
        await sio.emit(
            "ring-over",
            {"call": call.id, "reason": reason},
            room=user_room(ring.user_id),
            namespace=NAMESPACE,
            skip_sid=skip_sid,
        )


class CallsNamespace(AuthenticatedNamespace):
    def __init__(self, platform: Platform, rate_limit: Limit | None = None):
        super().__init__(NAMESPACE, rate_limit)
        self.platform = platform
        self._timers: dict[int, asyncio.Task] = {}

    async def _user(self, db: AsyncSession, sid: str) -> User:
        session = await self.get_session(sid)
        user = await db.get(User, session["user_id"])
        if user is None:
            raise NotFound(_("There is no such booth."))
        return user

    async def _booth(self, db: AsyncSession, sid: str, booth_id: int) -> BoothContext:
        """The booth as the connected user sees it; only the fair's participants reach it."""
        context = await load_booth(db, booth_id, await self._user(db, sid))
        if context.me is None:
            raise NotFound(_("There is no such booth."))
        return context

    async def _call(self, db: AsyncSession, sid: str, call_id: int):
        """A call and its booth, for someone who may see that booth; else not found."""
        call = await calls.call_in(db, call_id)
        if call is None:
            raise NotFound(_("There is no such call."))
        try:
            context = await self._booth(db, sid, call.booth_id)
        except NotFound:
            raise NotFound(_("There is no such call.")) from None
        return call, context

    def _rooms(self) -> AdHocRooms:
        found = self.platform.services.get(SERVICE)
        if not isinstance(found, AdHocRooms):  # rooms are not mounted in this app
            raise Denied("unavailable", _("Video calls are not available here."))
        return found

    @handler(BoothRef, writes=True)
    async def on_ring(self, db, sid: str, request: BoothRef) -> dict:
        """A visitor rings every present staff member of a booth (or finds their call ringing)."""
        context = await self._booth(db, sid, request.booth)
        self._rooms()  # refuse before ringing anyone when no room could be opened
        await self.throttle(context.user.id if context.user else sid)
        staff = await queries.staff(db, context.booth)
        statuses = self.hub.presence.statuses(context.fair.id, [p.user_id for p in staff])
        present = [p for p in staff if statuses[p.user_id] != "offline"]
        settings = self.platform.settings
        call, started = await calls.ring(
            db, context, present, settings.clock(), settings.call_ring_seconds
        )
        await db.commit()
        if started:
            for ring in call.rings:
                await self.emit("ring", ring_payload(call), room=user_room(ring.user_id))
            self._start_timer(call.id, settings.call_ring_seconds)
        return {
            "ok": True,
            "call": call.id,
            "status": str(call.status),
            "rung": len(call.rings),
            "ring_until": call.ring_until.isoformat(),
        }

    @handler(CallRef, writes=True)
    async def on_accept(self, db, sid: str, request: CallRef) -> dict:
        """The first staff member to accept gets the call and its room; the others are told."""
        call, context = await self._call(db, sid, request.call)
        calls.require_staff(context)
        rooms = self._rooms()
        answered = await calls.accept(db, call, context, rooms, self.platform.settings.clock())
        await db.commit()
        self._stop_timer(call.id)
        await tell_ended(self.platform, answered, context.fair.slug, skip_sid=sid)
        return {"ok": True, "call": call.id, "room": answered.room, "fair": context.fair.slug}

    @handler(CallRef, writes=True)
    async def on_decline(self, db, sid: str, request: CallRef) -> dict:
        """A staff member declines; when every one rung has, the caller is told."""
        call, context = await self._call(db, sid, request.call)
        ended = await calls.decline(db, call, context, self.platform.settings.clock())
        await db.commit()
        if ended:
            self._stop_timer(call.id)
            finished = await calls.fresh(db, call.id)
            await tell_ended(self.platform, finished, context.fair.slug, skip_sid=sid)
        else:  # this staff member's other pages stop ringing
            user_id = context.user.id if context.user else 0
            await self.emit(
                "ring-over",
                {"call": call.id, "reason": "declined"},
                room=user_room(user_id),
                skip_sid=sid,
            )
        return {"ok": True, "call": call.id, "ended": ended}

    @handler(CallRef, writes=True)
    async def on_cancel(self, db, sid: str, request: CallRef) -> dict:
        """The caller hangs up before anyone answered."""
        call, context = await self._call(db, sid, request.call)
        if context.me is None:
            raise NotFound(_("There is no such call."))
        ended = await calls.cancel(db, call, context.me, self.platform.settings.clock())
        await db.commit()
        if ended:
            self._stop_timer(call.id)
            finished = await calls.fresh(db, call.id)
            await tell_ended(self.platform, finished, context.fair.slug, skip_sid=sid)
        return {"ok": True, "call": call.id, "ended": ended}

    @handler(CallRef)
    async def on_status(self, db, sid: str, request: CallRef) -> dict:
        """Where the caller's call stands (a page that reconnected may have missed the news)."""
        call, context = await self._call(db, sid, request.call)
        if context.me is None or call.visitor_id != context.me.id:
            raise NotFound(_("There is no such call."))
        return {"ok": True, **visitor_payload(call, context.fair.slug)}

    async def connected(self, sid: str, identity: dict) -> None:
        """A page opened while calls ring for this staff member shows them too."""
        async with self.platform.database.read_session() as db:
            ringing = await calls.ringing_for(
                db, identity["user_id"], self.platform.settings.clock()
            )
        for call in ringing:
            await self.emit("ring", ring_payload(call), to=sid)

    async def presence_changed(self, fair_id: int, user_id: int, status: str) -> None:
        """Staff who come online while their booth's call rings are rung too."""
        if status == "offline":
            return
        now = self.platform.settings.clock()
        # nearly always nothing rings: a read answers that without the writers' lock
        async with self.platform.database.read_session() as db:
            if not await calls.latecomer_has_calls(db, fair_id, user_id, now):
                return
        async with self.platform.database.session() as db:
            rung = await calls.ring_latecomer(db, fair_id, user_id, now)
            await db.commit()
        for call in rung:
            await self.emit("ring", ring_payload(call), room=user_room(user_id))

    def _start_timer(self, call_id: int, seconds: float) -> None:
        task = asyncio.get_running_loop().create_task(self._ring_out(call_id, seconds))
        self._timers[call_id] = task
        task.add_done_callback(lambda done: self._timers.pop(call_id, None))

    def _stop_timer(self, call_id: int) -> None:
        task = self._timers.pop(call_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _ring_out(self, call_id: int, seconds: float) -> None:
        await asyncio.sleep(seconds)
        try:
            await expire_and_tell(self.platform, call_id)
        except Exception:  # a timer has nobody to answer: log, the job tries again
            logger.exception("ending call %s after its ring time failed", call_id)

    def close(self) -> None:
        for task in list(self._timers.values()):
            task.cancel()
        self._timers.clear()


async def expire_and_tell(platform: Platform, call_id: int) -> bool:
    """Mark a still-ringing call missed and tell everyone concerned; False if it had ended."""
    async with platform.database.session() as db:
        if not await calls.expire(db, call_id, platform.settings.clock()):
            return False
        await db.commit()
        call = await calls.fresh(db, call_id)
        fair = await db.get(Fair, call.fair_id)
        slug = fair.slug if fair else ""
    try:
        await tell_ended(platform, call, slug)
    except Exception:  # the call is over in the database even if nobody heard it
        logger.exception("telling that call %s was missed failed", call_id)
    return True
