"""The /fair namespace: joining a fair's live channel, presence and notifications."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.fairs.access import require_role
from server.fairs.models import Role
from server.identity.models import User
from server.realtime.hub import AuthenticatedNamespace, Strict, fair_room, handler


class JoinFair(Strict):
    fair: str = Field(min_length=1, max_length=80)


class SetState(Strict):
    state: Literal["online", "away"]


class FairNamespace(AuthenticatedNamespace):
    def __init__(self):
        super().__init__("/fair")

    @handler(JoinFair)
    async def on_join(self, db, sid: str, request: JoinFair) -> dict:
        """Join the live channel of a fair the user takes part in."""
        session = await self.get_session(sid)
        user = await db.get(User, session["user_id"])
        fair = (await require_role(db, request.fair, user, *Role)).fair
        await self.enter_room(sid, fair_room(fair.id))
        async with self.session(sid) as stored:
            stored.setdefault("fairs", [])
            if fair.id not in stored["fairs"]:
                stored["fairs"].append(fair.id)
        presence = self.hub.presence
        await presence.arrive(fair.id, session["user_id"], sid)
        present = presence.online(fair.id)
        # who is here now: the page was rendered a moment ago, and events before the join are lost
        statuses = presence.statuses(fair.id, sorted(present))
        return {"ok": True, "fair": fair.slug, "online": len(present), "present": statuses}

    @handler(SetState, database=False)
    async def on_state(self, db, sid: str, request: SetState) -> dict:
        """The tab became visible (online) or hidden (away)."""
        session = await self.get_session(sid)
        for fair_id in session.get("fairs", []):
            await self.hub.presence.set_state(fair_id, session["user_id"], sid, request.state)
        return {"ok": True}

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        try:
            session = await self.get_session(sid)
        except KeyError:  # the handshake was refused: nothing was joined
            return
        for fair_id in session.get("fairs", []):
            self.hub.presence.leave(fair_id, session["user_id"], sid)
