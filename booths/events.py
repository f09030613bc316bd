"""The /booths namespace: live booth chat between visitors and every online staff member."""

from __future__ import annotations

import contextlib

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from booths import chat
from booths.access import BoothContext, load_booth
from booths.models import Booth, Conversation
from server.fairs.access import require_role
from server.fairs.models import Participant, Role
from server.forms import without_controls
from server.i18n import gettext as _
from server.identity.models import User
from server.realtime.hub import AuthenticatedNamespace, EntityId, Strict, handler
from server.realtime.ratelimit import Limit
from server.refusals import Denied, Forbidden, NotFound


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


def conversation_room(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def staff_room(booth_id: int) -> str:
    return f"booth-staff:{booth_id}"


def _staff_only() -> Forbidden:
    return Forbidden(_("Only the booth's staff can do that."))


class BoothsNamespace(AuthenticatedNamespace):
    def __init__(self, rate_limit: Limit | None = None):
        super().__init__("/booths", rate_limit)

    async def _booth(self, db: AsyncSession, sid: str, booth_id: int) -> BoothContext:
        """The booth as the connected user may see it; only a fair's participants talk to it."""
        session = await self.get_session(sid)
        user = await db.get(User, session["user_id"])
        if user is None:
            raise NotFound(_("There is no such booth."))
        context = await load_booth(db, booth_id, user)
        if context.me is None:
            raise NotFound(_("There is no such booth."))
        return context

    @handler(BoothRef)
    async def on_staff_join(self, db, sid: str, request: BoothRef) -> dict:
        """Staff (and organisers) follow every conversation of their booth."""
        a = await self._booth(db, sid, request.booth)
        if not a.can_edit:
            raise _staff_only()
        await self.enter_room(sid, staff_room(a.booth.id))
        unread = await chat.unread_total(db, a.booth, a.user)
        latest = await chat.latest_message_id(db, a.booth)
        return {"ok": True, "unread": unread, "latest": latest}

    @handler(BoothRef)
    async def on_open(self, db, sid: str, request: BoothRef) -> dict:
        """A visitor opens their conversation with a booth (created on the first message)."""
        a = await self._booth(db, sid, request.booth)
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

    @handler(ConversationRef)
    async def on_history(self, db, sid: str, request: ConversationRef) -> dict:
        """Older messages of a conversation the user belongs to, page by page."""
        a = await self._booth(db, sid, request.booth)
        conversation = await self._conversation(db, a.booth, a.me, a.can_edit, request.conversation)
        await self.enter_room(sid, conversation_room(conversation.id))
        messages, has_more = await chat.history(db, conversation, request.before)
        return {
            "ok": True,
            "conversation": conversation.id,
            "has_more": has_more,
            "messages": [chat.message_payload(m, a.booth.id) for m in messages],
        }

    async def _conversation(
        self, db, booth: Booth, me: Participant, may_read_all: bool, conversation_id: int
    ):
        conversation = await chat.conversation_in(db, booth, conversation_id)
        if conversation is None or not (may_read_all or conversation.visitor_id == me.id):
            raise NotFound(_("There is no such conversation."))
        return conversation

    @handler(Send, writes=True)
    async def on_send(self, db, sid: str, request: Send) -> dict:
        """Send a message: a visitor to the booth, or staff into one of its conversations."""
        a = await self._booth(db, sid, request.booth)
        body = without_controls(request.body).strip()
        if not body:
            raise Denied("invalid", _("The message is empty."))
        await self.throttle(a.user.id)
        if a.is_staff:
            if request.conversation is None:
                raise Denied("invalid", _("Staff answer within a conversation."))
            conversation = await self._conversation(db, a.booth, a.me, True, request.conversation)
            visitor = conversation.visitor.user
            message = await chat.post(
                db, a.booth, a.user, body, from_staff=True, conversation=conversation
            )
        else:
            if request.conversation is not None:
                await self._conversation(db, a.booth, a.me, False, request.conversation)
            visitor = a.user
            message = await chat.post(db, a.booth, a.user, body, from_staff=False, visitor=a.me)
        await db.commit()
        payload = {
            **chat.message_payload(message, a.booth.id),
            "visitor_name": visitor.name,
            # the inbox shows a new conversation as a reload would: name, then firm
            "visitor_firm": await chat.firm_name(db, visitor),
        }
        room = conversation_room(message.conversation_id)
        # one event per connection, however many of the two rooms it is in; the sender has
        # the reply, and may have left already, which must not keep it from the others
        await self.emit("message", payload, room=[room, staff_room(a.booth.id)], skip_sid=sid)
        with contextlib.suppress(KeyError):  # the sender disconnected meanwhile
            await self.enter_room(sid, room)
        return {"ok": True, "message": payload}

    @handler(Read, writes=True)
    async def on_read(self, db, sid: str, request: Read) -> dict:
        """Staff mark a conversation read up to a message."""
        a = await self._booth(db, sid, request.booth)
        if not a.is_staff:
            raise _staff_only()
        conversation = await self._conversation(db, a.booth, a.me, True, request.conversation)
        await chat.mark_read(db, conversation, a.user, request.last)
        await db.commit()
        return {"ok": True}

    @handler(Remove, writes=True)
    async def on_remove(self, db, sid: str, request: Remove) -> dict:
        """An organiser takes a message down; everyone watching sees it go."""
        session = await self.get_session(sid)
        user = await db.get(User, session["user_id"])
        try:
            context = await require_role(db, request.fair, user, Role.ORGANISER)
        except Forbidden:
            raise Forbidden(_("Only the fair's organisers can remove messages.")) from None
        message = await chat.message_in_fair(db, context.fair.id, request.message)
        if message is None:
            raise NotFound(_("There is no such message."))
        await chat.remove(db, message, user)
        await db.commit()
        conversation = await db.get(Conversation, message.conversation_id)
        payload = chat.message_payload(message, conversation.booth_id)
        rooms = [conversation_room(conversation.id), staff_room(conversation.booth_id)]
        await self.emit("removed", payload, room=rooms)
        return {"ok": True}
