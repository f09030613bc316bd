"""The /booths namespace: live booth chat between visitors and every online staff member."""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from booths import chat
from booths.access import is_staff
from booths.models import Booth, Conversation
from server.fairs import queries as fair_queries
from server.fairs.models import Fair, Participant, Role
from server.forms import without_controls
from server.identity.models import User
from server.realtime.hub import AuthenticatedNamespace, Denied, EntityId


class Strict(BaseModel):
    # A payload may carry nothing we did not ask for: no forged sender, no extra ids.
    model_config = ConfigDict(extra="forbid")


class BoothRef(Strict):
    booth: EntityId


class ConversationRef(Strict):
    booth: EntityId
    conversation: EntityId
    before: EntityId | None = None


class Send(Strict):
    booth: EntityId
    conversation: EntityId | None = None
    body: str = Field(min_length=1, max_length=chat.MAX_MESSAGE)


class Read(Strict):
    booth: EntityId
    conversation: EntityId
    last: EntityId


class Remove(Strict):
    message: EntityId
    fair: str = Field(min_length=1, max_length=80)


class RateLimit:
    """At most `count` events per `window` seconds per key, on a clock tests can move."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.count = count
        self.window = window
        self.clock = clock
        self._events: dict[object, deque[float]] = {}

    def allow(self, key: object) -> bool:
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.count:
            return False
        events.append(now)
        return True


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def staff_room(booth_id: int) -> str:
    return f"booth-staff:{booth_id}"


@dataclass
class Access:
    user: User
    me: Participant
    booth: Booth
    staff: bool
    organiser: bool


class BoothsNamespace(AuthenticatedNamespace):
    def __init__(self, rate_limit: RateLimit | None = None):
        super().__init__("/booths")
        self.rate_limit = rate_limit or RateLimit(count=5, window=10.0)

    async def _load(self, db: AsyncSession, sid: str, booth_id: int) -> Access:
        """The user, their participation and the booth, if they may see it at all."""
        session = await self.get_session(sid)
        user = await db.get(User, session["user_id"])
        booth = await db.get(Booth, booth_id)
        if booth is None or user is None:
            raise Denied("not-found", "There is no such booth.")
        fair = await db.get(Fair, booth.fair_id)
        me = await fair_queries.participation(db, fair, user)
        staff = is_staff(user, me, booth)
        organiser = me is not None and me.role == Role.ORGANISER
        # only a participant of a fair they may see talks to its booths
        if (
            me is None
            or not fair_queries.may_see(fair, me)
            or (booth.hidden and not (staff or organiser))
        ):
            raise Denied("not-found", "There is no such booth.")
        return Access(user, me, booth, staff, organiser)

    async def _handle(
        self,
        sid: str,
        event: str,
        model: type[Strict],
        data: object,
        action,
        *,
        writes: bool = False,
    ):
        try:
            request = model.model_validate(data)
        except ValidationError as invalid:
            fields = ", ".join(str(error["loc"][0]) for error in invalid.errors() if error["loc"])
            return await self.refuse(sid, event, "invalid", f"Invalid payload: {fields}.")
        # Denied and unexpected failures are answered by AuthenticatedNamespace.trigger_event
        database = self.hub.database
        async with database.session() if writes else database.read_session() as db:
            return await action(db, sid, request)

    async def on_staff_join(self, sid: str, data: object) -> dict:
        """Staff (and organisers) follow every conversation of their booth."""

        async def action(db, sid, request: BoothRef):
            a = await self._load(db, sid, request.booth)
            if not (a.staff or a.organiser):
                raise Denied("forbidden", "Only the booth's staff can do that.")
            await self.enter_room(sid, staff_room(a.booth.id))
            unread = await chat.unread_total(db, a.booth, a.user)
            latest = await chat.latest_message_id(db, a.booth)
            return {"ok": True, "unread": unread, "latest": latest}

        return await self._handle(sid, "staff_join", BoothRef, data, action)

    async def on_open(self, sid: str, data: object) -> dict:
        """A visitor opens their conversation with a booth (created on the first message)."""

        async def action(db, sid, request: BoothRef):
            a = await self._load(db, sid, request.booth)
            conversation = await chat.conversation_of(db, a.booth, a.me)
            if conversation is None:
                return {"ok": True, "conversation": None, "messages": [], "has_more": False}
            await self.enter_room(sid, conversation_room(conversation.id))
            messages, has_more = await chat.history(db, conversation)
            return {
                "ok": True,
                "conversation": conversation.id,
                "has_more": has_more,
                "messages": [chat.message_payload(m, a.booth.id) for m in messages],
            }

        return await self._handle(sid, "open", BoothRef, data, action)

    async def on_history(self, sid: str, data: object) -> dict:
        """Older messages of a conversation the user belongs to, page by page."""

        async def action(db, sid, request: ConversationRef):
            a = await self._load(db, sid, request.booth)
            conversation = await self._conversation(
                db, a.booth, a.me, a.staff or a.organiser, request.conversation
            )
            await self.enter_room(sid, conversation_room(conversation.id))
            messages, has_more = await chat.history(db, conversation, request.before)
            return {
                "ok": True,
                "conversation": conversation.id,
                "has_more": has_more,
                "messages": [chat.message_payload(m, a.booth.id) for m in messages],
            }

        return await self._handle(sid, "history", ConversationRef, data, action)

    async def _conversation(
        self, db, booth: Booth, me: Participant, may_read_all: bool, conversation_id: int
    ):
        conversation = await chat.conversation_in(db, booth, conversation_id)
        if conversation is None or not (may_read_all or conversation.visitor_id == me.id):
            raise Denied("not-found", "There is no such conversation.")
        return conversation

    async def on_send(self, sid: str, data: object) -> dict:
        """Send a message: a visitor to the booth, or staff into one of its conversations."""

        async def action(db, sid, request: Send):
            a = await self._load(db, sid, request.booth)
            body = without_controls(request.body).strip()
            if not body:
                raise Denied("invalid", "The message is empty.")
            if not self.rate_limit.allow(a.user.id):
                raise Denied("rate-limited", "You are sending too fast. Wait a few seconds.")
            if a.staff:
                if request.conversation is None:
                    raise Denied("invalid", "Staff answer within a conversation.")
                conversation = await self._conversation(
                    db, a.booth, a.me, True, request.conversation
                )
                visitor_name = conversation.visitor.user.name
                message = await chat.post(
                    db, a.booth, a.user, body, from_staff=True, conversation=conversation
                )
            else:
                if request.conversation is not None:
                    await self._conversation(db, a.booth, a.me, False, request.conversation)
                visitor_name = a.user.name
                message = await chat.post(db, a.booth, a.user, body, from_staff=False, visitor=a.me)
            await db.commit()
            payload = {**chat.message_payload(message, a.booth.id), "visitor_name": visitor_name}
            room = conversation_room(message.conversation_id)
            # one event per connection, however many of the two rooms it is in; the sender has
            # the reply, and may have left already, which must not keep it from the others
            await self.emit("message", payload, room=[room, staff_room(a.booth.id)], skip_sid=sid)
            with contextlib.suppress(KeyError):  # the sender disconnected meanwhile
                await self.enter_room(sid, room)
            return {"ok": True, "message": payload}

        return await self._handle(sid, "send", Send, data, action, writes=True)

    async def on_read(self, sid: str, data: object) -> dict:
        """Staff mark a conversation read up to a message."""

        async def action(db, sid, request: Read):
            a = await self._load(db, sid, request.booth)
            if not a.staff:
                raise Denied("forbidden", "Only the booth's staff can do that.")
            conversation = await self._conversation(db, a.booth, a.me, True, request.conversation)
            await chat.mark_read(db, conversation, a.user, request.last)
            await db.commit()
            return {"ok": True}

        return await self._handle(sid, "read", Read, data, action, writes=True)

    async def on_remove(self, sid: str, data: object) -> dict:
        """An organiser takes a message down; everyone watching sees it go."""

        async def action(db, sid, request: Remove):
            session = await self.get_session(sid)
            user = await db.get(User, session["user_id"])
            found = await fair_queries.fair_for(db, request.fair, user)
            if found is None:
                raise Denied("not-found", "There is no such fair.")
            fair, me = found
            if me is None or me.role != Role.ORGANISER:
                raise Denied("forbidden", "Only the fair's organisers can remove messages.")
            message = await chat.message_in_fair(db, fair.id, request.message)
            if message is None:
                raise Denied("not-found", "There is no such message.")
            await chat.remove(db, message, user)
            await db.commit()
            conversation = await db.get(Conversation, message.conversation_id)
            payload = chat.message_payload(message, conversation.booth_id)
            rooms = [conversation_room(conversation.id), staff_room(conversation.booth_id)]
            await self.emit("removed", payload, room=rooms)
            return {"ok": True}

        return await self._handle(sid, "remove", Remove, data, action, writes=True)
