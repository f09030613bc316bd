"""The /fair namespace: joining a fair's live channel, presence and notifications."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.fairs import queries
from server.identity.models import User
from server.realtime.hub import AuthenticatedNamespace
from server.realtime.presence import Presence


class JoinFair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fair: str = Field(min_length=1, max_length=80)


class SetState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["online", "away"]


def fair_room(fair_id: int) -> str:
    return f"fair:{fair_id}"


class FairNamespace(AuthenticatedNamespace):
    def __init__(self, grace_seconds: float = 10.0):
        super().__init__("/fair")
        self.presence = Presence(self._presence_changed, grace_seconds)

    def close(self) -> None:
        self.presence.close()

    async def _presence_changed(self, fair_id: int, user_id: int, status: str) -> None:
        await self.emit(
            "presence",
            {"user": user_id, "status": status, "online": len(self.presence.online(fair_id))},
            room=fair_room(fair_id),
        )

    async def on_join(self, sid: str, data: object) -> dict:
        """Join the live channel of a fair the user takes part in."""
        try:
            request = JoinFair.model_validate(data)
        except ValidationError:
            return await self.refuse(sid, "join", "invalid", "Send {fair: slug}.")
        session = await self.get_session(sid)
        async with self.hub.database.read_session() as db:
            user = await db.get(User, session["user_id"])
            found = await queries.fair_for(db, request.fair, user)
        if found is None:
            return await self.refuse(sid, "join", "not-found", "There is no such fair.")
        fair, me = found
        if me is None:
            return await self.refuse(sid, "join", "forbidden", "You do not take part in this fair.")
        await self.enter_room(sid, fair_room(fair.id))
        async with self.session(sid) as stored:
            stored.setdefault("fairs", [])
            if fair.id not in stored["fairs"]:
                stored["fairs"].append(fair.id)
        await self.presence.arrive(fair.id, session["user_id"], sid)
        present = self.presence.online(fair.id)
        # who is here now: the page was rendered a moment ago, and events before the join are lost
        statuses = self.presence.statuses(fair.id, sorted(present))
        return {"ok": True, "fair": fair.slug, "online": len(present), "present": statuses}

    async def on_state(self, sid: str, data: object) -> dict:
        """The tab became visible (online) or hidden (away)."""
        try:
            request = SetState.model_validate(data)
        except ValidationError:
            return await self.refuse(sid, "state", "invalid", "Send {state: online|away}.")
        session = await self.get_session(sid)
        for fair_id in session.get("fairs", []):
            await self.presence.set_state(fair_id, session["user_id"], sid, request.state)
        return {"ok": True}

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        try:
            session = await self.get_session(sid)
        except KeyError:  # the handshake was refused: nothing was joined
            return
        for fair_id in session.get("fairs", []):
            self.presence.leave(fair_id, session["user_id"], sid)
