"""The /rooms namespace through a running server: who may join in which state of the room,
every event before and after joining, bad payloads, peers, chat, warnings and closing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from rooms.models import Meeting, MeetingStatus, RoomVisit
from server.app import create_app
from server.db import Database
from server.identity.passwords import Passwords
from tests.rooms.video.conftest import Clock, build_room_world, moments
from tests.support.factories import PASSWORD
from tests.support.live import serve
from tests.support.pages import form_token, log_in
from tests.support.settings import make_settings
from tests.support.sockets import connect

PEOPLE = ["stranger", "bystander", "attendee", "other", "organiser"]

# join in each state of the room -> "ok" or the refusal's reason, in the order of PEOPLE
JOIN = {
    "open": ("forbidden", "forbidden", "ok", "ok", "ok"),
    "not-open": ("forbidden", "forbidden", "not-open", "not-open", "not-open"),
    "closed": ("forbidden", "forbidden", "closed", "closed", "closed"),
    "cancelled": ("forbidden", "forbidden", "cancelled", "cancelled", "cancelled"),
}
# each event before joining, then (for those who joined the open room) after
BEFORE = {
    "offer": ("not-joined",) * 5,
    "ice": ("not-joined",) * 5,
    "state": ("not-joined",) * 5,
    "chat": ("not-joined",) * 5,
    "leave": ("not-joined",) * 5,
    "end": ("forbidden", "forbidden", "forbidden", "forbidden", "ok"),
}
AFTER = {
    "state": ("ok", "ok", "ok"),
    "chat": ("ok", "ok", "ok"),
    # an offer of another shape than the room's layout is refused; nothing is negotiated
    "offer": ("offer-layout", "offer-layout", "offer-layout"),
    "leave": ("ok", "ok", "ok"),
}


def payload(event: str, room: str) -> dict:
    return {
        "join": {"room": room},
        "offer": {"room": room, "sdp": "v=0\r\n"},
        "ice": {"room": room, "candidate": "", "sdpMid": "0", "sdpMLineIndex": 0},
        "state": {"room": room, "audio": True, "video": False, "screen": False},
        "chat": {"room": room, "text": "Buongiorno"},
        "leave": {"room": room},
        "end": {"room": room},
    }[event]


def answer(reply: dict) -> str:
    return "ok" if reply.get("ok") else reply.get("reason", "?")


@pytest.fixture
async def served(fresh_url, var_dir):
    """The meeting world committed to a fresh database, served with a clock tests move."""
    clock = Clock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))  # moved once the world is built
    settings = replace(make_settings(fresh_url, var_dir), clock=clock)
    database = Database.from_url(fresh_url)
    async with database.session() as db:
        found = await build_room_world(db, Passwords(settings))
    clock.at = found.starts_at
    app = create_app(settings, database)
    async with serve(app) as url:
        yield url, database, settings, found, clock, app.other_asgi_app.state.platform
    await database.dispose()


def emails(found) -> dict[str, str]:
    users = found.world.users
    return {
        "stranger": found.stranger.email,
        "bystander": users["beta"].email,
        "attendee": users["buyer"].email,
        "other": users["alpha"].email,
        "organiser": users["organiser"].email,
    }


async def test_every_event_for_everyone_in_every_state(served):
    url, database, settings, found, clock, _platform = served
    room = found.meeting.video_room
    at = moments(found)
    clients = {
        p: await connect(url, database, settings, e, "/rooms") for p, e in emails(found).items()
    }
    wrong = []
    try:
        clock.at = at["open"]
        for event, expected in BEFORE.items():
            if event == "end":
                continue  # it would close the room for the rest of the test
            for person, want in zip(PEOPLE, expected, strict=True):
                got = answer(await clients[person].call(event, payload(event, room)))
                if got != want:
                    wrong.append(f"{event} before joining, {person}: expected {want}, got {got}")
        for state in ("not-open", "closed", "cancelled", "open"):
            cancelled = state == "cancelled"
            async with database.session() as db:
                status = MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED
                await db.execute(update(Meeting).values(status=status))
                await db.commit()
            clock.at = at["open" if cancelled else state]
            for person, want in zip(PEOPLE, JOIN[state], strict=True):
                got = answer(await clients[person].call("join", payload("join", room)))
                if got != want:
                    wrong.append(f"join ({state}), {person}: expected {want}, got {got}")
        joined = ["attendee", "other", "organiser"]
        for event, expected in AFTER.items():
            for person, want in zip(joined, expected, strict=True):
                got = answer(await clients[person].call(event, payload(event, room)))
                if got != want:
                    wrong.append(f"{event} after joining, {person}: expected {want}, got {got}")
        for person, want in zip(PEOPLE, BEFORE["end"], strict=True):
            got = answer(await clients[person].call("end", payload("end", room)))
            if got != want:
                wrong.append(f"end, {person}: expected {want}, got {got}")
    finally:
        for client in clients.values():
            await client.close()
    assert wrong == []


async def test_bad_payloads_get_an_error_and_the_server_keeps_answering(served):
    url, database, settings, found, _clock, _platform = served
    room = found.meeting.video_room
    buyer = await connect(url, database, settings, emails(found)["attendee"], "/rooms")
    try:
        bad = [
            ("join", None),
            ("join", "not a dict"),
            ("join", {}),
            ("join", {"room": room, "sender": 7}),
            ("join", {"room": "x" * 41}),
            ("join", {"room": 12}),
            ("state", {"room": room, "audio": "yes", "video": False, "screen": False}),
            ("chat", {"room": room, "text": "x" * 1001}),
            ("offer", {"room": room, "sdp": "x" * 64_001}),
            ("ice", {"room": room, "candidate": "x" * 1001, "sdpMid": "0", "sdpMLineIndex": 0}),
            ("ice", {"room": room, "candidate": "", "sdpMid": "0", "sdpMLineIndex": -1}),
        ]
        for event, data in bad:
            reply = await buyer.call(event, data)
            assert (reply["ok"], reply["reason"]) == (False, "invalid"), (event, data, reply)
        reply = await buyer.call("nonsense", {"room": room})
        assert reply["reason"] == "unknown"
        assert len(buyer.received("error")) == len(bad) + 1
        joined = await buyer.call("join", {"room": room})
        assert joined["ok"] and joined["role"] == "attendee"
    finally:
        await buyer.close()


async def test_two_sides_meet_chat_and_leave(served):
    url, database, settings, found, _clock, _platform = served
    room = found.meeting.video_room
    who = emails(found)
    buyer = await connect(url, database, settings, who["attendee"], "/rooms")
    alpha = await connect(url, database, settings, who["other"], "/rooms")
    try:
        first = await buyer.call("join", {"room": room})
        assert first["ok"] and not first["live"] and first["slots"] == 2
        assert first["closes_at"] == (found.meeting.slot.ends_at + timedelta(minutes=5)).isoformat()
        second = await alpha.call("join", {"room": room})
        assert second["live"]  # both sides are in: the meeting is live
        peers = (await buyer.wait_for("peers", 2))[-1]["peers"]
        names = sorted((p["name"], p["firm"], p["me"]) for p in peers)
        assert names == sorted(
            [
                (found.world.users["buyer"].name, "Levante Retail", True),
                (found.world.users["alpha"].name, "Alpha Srl", False),
            ]
        )
        sent = await buyer.call("chat", {"room": room, "text": "  Buongiorno \x07"})
        assert sent["message"]["text"] == "Buongiorno"
        heard = await alpha.wait_for("chat")
        assert heard[0]["message"]["name"] == found.world.users["buyer"].name
        await buyer.call("state", {"room": room, "audio": False, "video": True, "screen": True})
        latest = (await alpha.wait_for("peers", 2))[-1]["peers"]
        mine = next(p for p in latest if not p["me"])
        assert (mine["audio"], mine["video"], mine["screen"]) == (False, True, True)
        # a late joiner gets the chat so far
        late = await connect(url, database, settings, who["organiser"], "/rooms")
        joined = await late.call("join", {"room": room})
        assert joined["role"] == "moderator" and joined["chat"][0]["text"] == "Buongiorno"
        await late.close()  # a disconnect leaves like `leave`
        assert (await buyer.call("leave", {"room": room}))["ok"]
        for _ in range(250):
            if len(alpha.received("peers")[-1]["peers"]) == 1:
                break
            await asyncio.sleep(0.02)
        assert [p["me"] for p in alpha.received("peers")[-1]["peers"]] == [True]
    finally:
        await buyer.close()
        await alpha.close()
    for _ in range(250):  # the server records a disconnect a moment after it happened
        async with database.read_session() as db:
            visits = list(await db.scalars(select(RoomVisit).order_by(RoomVisit.id)))
            status = await db.scalar(select(Meeting.status).where(Meeting.id == found.meeting.id))
        if all(v.left_at is not None for v in visits):
            break
        await asyncio.sleep(0.02)
    assert [v.role for v in visits] == ["attendee", "attendee", "moderator"]
    assert all(v.left_at is not None for v in visits)
    assert status == MeetingStatus.LIVE


async def test_the_room_warns_then_closes_on_time_and_an_organiser_can_end_it(served):
    url, database, settings, found, clock, platform = served
    room = found.meeting.video_room
    rooms = platform.services["video-rooms"]
    buyer = await connect(url, database, settings, emails(found)["attendee"], "/rooms")
    try:
        await buyer.call("join", {"room": room})
        ends = found.meeting.slot.ends_at
        await rooms.tick(ends - timedelta(minutes=3))
        assert buyer.received("room-warning") == []
        await rooms.tick(ends - timedelta(minutes=2))
        (warning,) = await buyer.wait_for("room-warning")
        assert warning["closes_at"] == (ends + timedelta(minutes=5)).isoformat()
        await rooms.tick(ends + timedelta(minutes=5))
        (closed,) = await buyer.wait_for("room-closed")
        assert (closed["reason"], closed["message"]) == ("time", "The time for this meeting is up.")
        assert rooms.rooms == {}
        # an organiser ends it (the clock back inside the slot)
        clock.at = found.starts_at
        await buyer.call("join", {"room": room})
        organiser = await connect(url, database, settings, emails(found)["organiser"], "/rooms")
        assert (await organiser.call("end", {"room": room}))["ok"]
        closed = (await buyer.wait_for("room-closed", 2))[-1]
        assert closed["reason"] == "ended"
        assert (await buyer.call("join", {"room": room}))["reason"] == "closed"
        await organiser.close()
    finally:
        await buyer.close()


async def test_cancelling_the_meeting_closes_its_room(served):
    url, database, settings, found, _clock, _platform = served
    room = found.meeting.video_room
    buyer = await connect(url, database, settings, emails(found)["attendee"], "/rooms")
    try:
        await buyer.call("join", {"room": room})
        async with httpx.AsyncClient(base_url=url) as http:
            await log_in(http, emails(found)["other"], PASSWORD)
            agenda = await http.get(f"/fairs/{found.world.fair.slug}/agenda")
            action = f"/fairs/{found.world.fair.slug}/meetings/{found.meeting.id}/cancel"
            token = form_token(agenda.text, action)
            cancelled = await http.post(action, data={"csrf_token": token})
            assert cancelled.status_code == 303
        (closed,) = await buyer.wait_for("room-closed")
        assert (closed["reason"], closed["message"]) == ("cancelled", "This meeting was cancelled.")
    finally:
        await buyer.close()
