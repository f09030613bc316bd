"""Who may be in which video room, and when: the same rules for the pages and every event.

`room_access` reads the database each time it is called (docs/video.md, "Who may join").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms.models import (
    Meeting,
    MeetingAttendee,
    MeetingStatus,
    RoomVisit,
    VideoRoom,
    VideoRoomMember,
    VisitRole,
)
from rooms.video.windows import Window, meeting_window
from server.errors import LoginRequired
from server.fairs.access import load_fair
from server.fairs.models import Fair, Participant, Role
from server.i18n import gettext as _
from server.identity.models import User
from server.refusals import Denied

MAX_PEOPLE = 6  # in one room, moderators included
# An ad-hoc room nobody entered within this time is closed.
ADHOC_JOIN_MINUTES = 3
# Room tokens are `secrets.token_urlsafe` with a prefix; anything else is not a room.
MAX_TOKEN = 40
TOKEN_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")


class RoomDenied(Denied):
    """A refusal to enter a room; `status` is what the page answers."""

    STATUSES: ClassVar[dict[str, int]] = {
        "not-found": 404,
        "forbidden": 403,
        "cancelled": 410,
        "closed": 410,
        "not-open": 409,
        "full": 409,
    }

    def __init__(self, reason: str, message: str):
        super().__init__(reason, message)
        self.status = self.STATUSES.get(reason, 400)


def not_found() -> RoomDenied:
    return RoomDenied("not-found", _("There is no such room."))


@dataclass
class RoomAccess:
    """A person's right to be in one room, and what the room is."""

    fair: Fair
    user: User
    me: Participant
    token: str
    role: VisitRole
    meeting: Meeting | None = None
    video_room: VideoRoom | None = None
    window: Window | None = None  # None: an ad-hoc room, open until it empties
    people: list[Participant] = field(default_factory=list)  # attendees or members

    @property
    def kind(self) -> str:
        return "meeting" if self.meeting is not None else "call"

    @property
    def moderator(self) -> bool:
        return self.role == VisitRole.MODERATOR


def _people_options():
    return selectinload(Participant.user).selectinload(User.firm)


async def _meeting(db: AsyncSession, token: str) -> Meeting | None:
    return await db.scalar(
        select(Meeting)
        .where(Meeting.video_room == token)
        .options(
            selectinload(Meeting.slot),
            selectinload(Meeting.attendees)
            .selectinload(MeetingAttendee.participant)
            .options(_people_options()),
        )
    )


async def _video_room(db: AsyncSession, token: str) -> VideoRoom | None:
    return await db.scalar(
        select(VideoRoom)
        .where(VideoRoom.token == token)
        .options(
            selectinload(VideoRoom.members)
            .selectinload(VideoRoomMember.participant)
            .options(_people_options())
        )
    )


def well_formed(token: str) -> bool:
    """Whether `token` could be a room's address at all (URL-safe characters, not too long)."""
    return bool(token) and len(token) <= MAX_TOKEN and TOKEN_CHARACTERS.fullmatch(token) is not None


async def fair_of_room(db: AsyncSession, token: str) -> int | None:
    """The fair a room token belongs to, if it is a room at all."""
    if not well_formed(token):
        return None
    found = await db.scalar(select(Meeting.fair_id).where(Meeting.video_room == token))
    if found is None:
        found = await db.scalar(select(VideoRoom.fair_id).where(VideoRoom.token == token))
    return found


async def _unjoined_too_long(db: AsyncSession, room: VideoRoom, now: datetime) -> bool:
    if now < room.created_at + timedelta(minutes=ADHOC_JOIN_MINUTES):
        return False
    visited = await db.scalar(select(RoomVisit.id).where(RoomVisit.video_room_id == room.id))
    return visited is None


async def room_access(
    db: AsyncSession,
    fair: str | int,
    user: User | None,
    token: str,
    now: datetime,
    present: int = 0,
) -> RoomAccess:
    """The user's access to room `token` of `fair` (slug or id) at `now`, with `present`
    people in it already; raises RoomDenied with the reason (LoginRequired when anonymous)."""
    if user is None:
        raise LoginRequired()
    try:
        context = await load_fair(db, fair, user)
    except Denied:
        raise not_found() from None
    if not well_formed(token):
        raise not_found()
    meeting = await _meeting(db, token)
    room = None if meeting is not None else await _video_room(db, token)
    found: Meeting | VideoRoom | None = meeting or room
    if found is None or found.fair_id != context.fair.id:
        raise not_found()
    if context.me is None:
        raise RoomDenied("forbidden", _("You do not take part in this fair."))
    if isinstance(found, Meeting):
        people = [a.participant for a in found.attendees]
        own = VisitRole.ATTENDEE
    else:
        people = [m.participant for m in found.members]
        own = VisitRole.MEMBER
    if any(p.id == context.me.id for p in people):
        role = own
    elif context.me.role == Role.ORGANISER:
        role = VisitRole.MODERATOR
    else:
        raise RoomDenied("forbidden", _("This room is for the people of this meeting only."))
    access = RoomAccess(context.fair, user, context.me, token, role, meeting, room, people=people)
    if isinstance(found, Meeting):
        if found.status == MeetingStatus.CANCELLED:
            raise RoomDenied("cancelled", _("This meeting was cancelled."))
        access.window = await meeting_window(db, context.fair, found)
        if now >= access.window.closes_at:
            raise RoomDenied("closed", _("This meeting's room has closed."))
    else:
        if found.ended_at is not None or await _unjoined_too_long(db, found, now):
            raise RoomDenied("closed", _("This call has ended."))
    if present >= MAX_PEOPLE:
        raise RoomDenied("full", _("This room is full: at most 6 people."))
    return access


def check_open(access: RoomAccess, now: datetime) -> None:
    """Refuse to enter a meeting's room before it opens (the page shows the lobby meanwhile)."""
    window = access.window
    if window is not None and now < window.opens_at:
        minutes = int((window.starts_at - window.opens_at).total_seconds() // 60)
        raise RoomDenied(
            "not-open",
            _("The room opens %(minutes)d minutes before the meeting.", minutes=minutes),
        )
