"""Two aiortc bots hold the demo's video meeting through a running server, signalling over
/rooms; an organiser's end closes their connections. WebRTC: a private network namespace."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import select

from rooms.models import Meeting, RoomVisit
from server.app import create_app
from server.db import Database
from tests.rooms.video.conftest import Clock
from tests.support.demo import BUYER, ORGANISER, STAFF
from tests.support.live import serve
from tests.support.settings import make_settings
from tests.support.sockets import connect
from tests.support.webrtc import Bot

pytestmark = pytest.mark.webrtc


async def test_the_demo_meeting_through_the_server_then_an_organiser_ends_it(
    fresh_demo_url, var_dir
):
    database = Database.from_url(fresh_demo_url)
    async with database.read_session() as db:
        meeting = await db.scalar(
            select(Meeting).where(Meeting.video_room.is_not(None)).order_by(Meeting.id.desc())
        )
    room = meeting.video_room
    settings = replace(
        make_settings(fresh_demo_url, var_dir),
        clock=Clock(meeting.created_at),  # the demo meeting's room is open when seeded
        media_addresses=("127.0.0.1",),
    )
    app = create_app(settings, database)
    media = app.other_asgi_app.state.platform.services["video-rooms"].media
    async with serve(app) as url:
        people = [await connect(url, database, settings, e, "/rooms") for e in (BUYER, STAFF)]
        bots: list[Bot] = []
        try:
            for person in people:
                joined = await person.call("join", {"room": room})
                assert joined["ok"], joined
                bot = Bot(joined["slots"])
                bots.append(bot)

                async def signal(sdp, person=person):
                    answer = await person.call("offer", {"room": room, "sdp": sdp})
                    assert answer["ok"], answer
                    return answer["sdp"]

                await bot.connect(signal)
            peers = (await people[0].wait_for("peers", 3))[-1]["peers"]
            other = next(p for p in peers if not p["me"])
            slot = other["slot"]
            assert slot is not None
            for bot in bots:
                await bot.wait_for(lambda bot=bot: bot.reception(slot, "camera").frames > 5)
                await bot.wait_for(lambda bot=bot: bot.reception(slot, "audio").frames > 5)
            assert set(media.rooms()[room]) == {p["peer"] for p in peers}
            # an organiser ends the room: everyone told, every connection closed
            organiser = await connect(url, database, settings, ORGANISER, "/rooms")
            assert (await organiser.call("end", {"room": room}))["ok"]
            await organiser.close()
            for person in people:
                (closed,) = await person.wait_for("room-closed")
                assert closed["reason"] == "ended"
            assert room not in media.rooms()
        finally:
            for bot in bots:
                await bot.close()
            for person in people:
                await person.close()
    await database.dispose()


async def test_two_who_drop_at_once_both_leave_and_their_visits_end(fresh_demo_url, var_dir):
    database = Database.from_url(fresh_demo_url)
    async with database.read_session() as db:
        meeting = await db.scalar(
            select(Meeting).where(Meeting.video_room.is_not(None)).order_by(Meeting.id.desc())
        )
    room = meeting.video_room
    settings = replace(
        make_settings(fresh_demo_url, var_dir),
        clock=Clock(meeting.created_at),
        media_addresses=("127.0.0.1",),
    )
    app = create_app(settings, database)
    rooms = app.other_asgi_app.state.platform.services["video-rooms"]
    async with serve(app) as url:
        people = [await connect(url, database, settings, e, "/rooms") for e in (BUYER, STAFF)]
        bots: list[Bot] = []
        try:
            for person in people:
                joined = await person.call("join", {"room": room})
                bot = Bot(joined["slots"], audio=False)
                bots.append(bot)

                async def signal(sdp, person=person):
                    return (await person.call("offer", {"room": room, "sdp": sdp}))["sdp"]

                await bot.connect(signal)
            await bots[0].wait_for(lambda: bots[0].reception(0, "camera").frames > 2)
            # both sockets drop together: each disconnect awaits the media server's leave
            await asyncio.gather(*(person.close() for person in people))
            async with asyncio.timeout(10):
                while rooms.media.rooms() or room in rooms.rooms:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            async with asyncio.timeout(10):
                while True:
                    async with database.read_session() as db:
                        visits = list(
                            await db.scalars(select(RoomVisit).where(RoomVisit.room == room))
                        )
                    if len(visits) == 2 and all(v.left_at is not None for v in visits):
                        break
                    await asyncio.sleep(0.05)
        finally:
            for bot in bots:
                await bot.close()
    await database.dispose()
