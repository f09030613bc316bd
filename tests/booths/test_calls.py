"""Talk now at a booth: real Socket.IO clients against the real server on port 0."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta

import httpx
import pytest
import socketio
from sqlalchemy import select, update

from booths.models import Booth, BoothCall, CallStatus
from rooms.models import VideoRoom, VideoRoomMember
from server.app import create_app
from server.db import Database
from server.fairs.models import Fair, Participant, Role
from server.identity.models import User
from server.identity.passwords import Passwords
from tests.support.demo import BARI, BUYER, ORGANISER, OTHER_STAFF, STAFF
from tests.support.live import serve
from tests.support.pages import visible_text
from tests.support.settings import make_settings
from tests.support.sockets import Client, session_cookie

SECOND_STAFF = "second.staff@sassi.example"
OUTSIDER = "outsider@elsewhere.example"
OTHER_BUYER = "marc.olivier@buyers.fiera.demo"
BOOTH = f"/fairs/{BARI}/booths/sassi-digital-lab"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class CallServer:
    url: str
    database: Database
    settings: object
    booth: int
    other_booth: int
    clock: FakeClock
    clients: list
    app: object = None

    async def person(self, email: str, *, online: bool = False) -> Client:
        """A /calls client for `email`; with `online`, also present in the fair (/fair)."""
        cookie = await session_cookie(self.database, self.settings, email)
        if online:
            fair = await Client("/fair").connect(self.url, cookie)
            assert (await fair.call("join", {"fair": BARI}))["ok"] is True
            self.clients.append(fair)
        calls = await Client("/calls").connect(self.url, cookie)
        self.clients.append(calls)
        return calls

    async def http(self, email: str) -> httpx.AsyncClient:
        cookie = await session_cookie(self.database, self.settings, email)
        client = httpx.AsyncClient(base_url=self.url, headers={"Cookie": cookie})
        self.clients.append(client)
        return client

    async def video_rooms(self) -> dict[str, set[str]]:
        """The ad-hoc rooms rooms opened: token → the e-mails of their members."""
        async with self.database.read_session() as db:
            rows = await db.execute(
                select(VideoRoom.token, User.email)
                .join(VideoRoomMember, VideoRoomMember.room_id == VideoRoom.id)
                .join(Participant, Participant.id == VideoRoomMember.participant_id)
                .join(User, User.id == Participant.user_id)
            )
            found: dict[str, set[str]] = {}
            for token, email in rows.all():
                found.setdefault(token, set()).add(email)
            return found

    async def status(self, call_id: int) -> BoothCall:
        async with self.database.read_session() as db:
            found = await db.get(BoothCall, call_id)
            assert found is not None
            return found


@pytest.fixture
def ring_seconds() -> float:
    return 30.0


@pytest.fixture
async def call_server(fresh_demo_url, var_dir, ring_seconds):
    settings = make_settings(fresh_demo_url, var_dir)
    database = Database.from_url(fresh_demo_url)
    async with database.session() as db:
        # a second staff member of Sassi Digital Lab: every online one is rung
        anna = await db.scalar(select(User).where(User.email == STAFF))
        colleague = User(
            email=SECOND_STAFF,
            name="Rocco Sassi",
            firm_id=anna.firm_id,
            password_hash=Passwords(settings).hash_sync("irrelevant password"),
        )
        db.add(colleague)
        await db.flush()
        bari = await db.scalar(select(Fair).where(Fair.slug == BARI))
        db.add(Participant(fair_id=bari.id, user_id=colleague.id, role=Role.EXHIBITOR))
        booth = await db.scalar(select(Booth.id).where(Booth.slug == "sassi-digital-lab"))
        other = await db.scalar(select(Booth.id).where(Booth.slug == "murgia-software"))
        # someone with an account who takes no part in the fair
        db.add(
            User(
                email=OUTSIDER,
                name="Outside Person",
                password_hash=Passwords(settings).hash_sync("irrelevant password"),
            )
        )
        await db.commit()
    clock = FakeClock()
    app = create_app(
        replace(
            settings,
            presence_grace_seconds=0.2,
            call_ring_seconds=ring_seconds,
            call_rings_per_window=5,
            call_window_seconds=60.0,
            monotonic=clock,
        ),
        database,
    )
    async with serve(app) as url:
        server = CallServer(url, database, settings, booth, other, clock, [], app)
        yield server
        for client in server.clients:
            if isinstance(client, Client):
                await client.close()
            else:
                await client.aclose()


def room_path(server: CallServer, fair: str, room: str) -> str:
    return server.app.other_asgi_app.url_path_for("video_room", fair=fair, room=room)


async def test_ring_accept_and_both_sides_reach_the_room(call_server):
    anna = await call_server.person(STAFF, online=True)
    rocco = await call_server.person(SECOND_STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    assert (rang["ok"], rang["status"], rang["rung"]) == (True, "ringing", 2)
    for staff in (anna, rocco):
        [ring] = await staff.wait_for("ring")
        assert ring["call"] == rang["call"]
        assert (ring["visitor"], ring["firm"]) == ("Giulia Ferri", "Levante Retail Group")

    accepted = await anna.call("accept", {"call": rang["call"]})
    assert accepted["ok"] is True and accepted["fair"] == BARI
    [told] = await buyer.wait_for("call")
    assert told == {
        "call": rang["call"],
        "booth": call_server.booth,
        "status": "accepted",
        "room": accepted["room"],
        "fair": BARI,
        "by": "Anna Colucci",
    }
    [over] = await rocco.wait_for("ring-over")
    assert over == {"call": rang["call"], "reason": "taken"}
    # a colleague who accepts a moment later is told it is taken
    late = await rocco.call("accept", {"call": rang["call"]})
    assert (late["ok"], late["reason"]) == (False, "taken")

    call = await call_server.status(rang["call"])
    assert call.status == CallStatus.ACCEPTED and call.room == accepted["room"]
    assert await call_server.video_rooms() == {accepted["room"]: {BUYER, STAFF}}

    path = room_path(call_server, BARI, accepted["room"])
    for email in (BUYER, STAFF):
        page = await (await call_server.http(email)).get(path)
        assert page.status_code == 200, email
    stranger = await (await call_server.http(OTHER_BUYER)).get(path)
    assert stranger.status_code == 403

    leads = await (await call_server.http(STAFF)).get(f"{BOOTH}/leads")
    text = visible_text(leads.text)
    assert "Talk now calls" in text and "Answered by Anna Colucci" in text


async def test_declined_by_every_staff_member_tells_the_visitor(call_server):
    anna = await call_server.person(STAFF, online=True)
    rocco = await call_server.person(SECOND_STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    await anna.wait_for("ring")
    await rocco.wait_for("ring")
    first = await anna.call("decline", {"call": rang["call"]})
    assert (first["ok"], first["ended"]) == (True, False)
    assert (await call_server.status(rang["call"])).status == CallStatus.RINGING
    last = await rocco.call("decline", {"call": rang["call"]})
    assert (last["ok"], last["ended"]) == (True, True)
    [told] = await buyer.wait_for("call")
    assert told["status"] == "declined" and "room" not in told
    assert (await call_server.status(rang["call"])).status == CallStatus.DECLINED
    leads = await (await call_server.http(STAFF)).get(f"{BOOTH}/leads")
    assert "Declined" in visible_text(leads.text)


@pytest.mark.parametrize("ring_seconds", [1.0])
async def test_a_call_nobody_answers_is_missed_after_the_ring_time(call_server):
    anna = await call_server.person(STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    [told] = await buyer.wait_for("call", seconds=6)
    assert told["status"] == "missed"
    [over] = await anna.wait_for("ring-over")
    assert over["reason"] == "missed"
    assert (await call_server.status(rang["call"])).status == CallStatus.MISSED
    too_late = await anna.call("accept", {"call": rang["call"]})
    assert (too_late["ok"], too_late["reason"]) == (False, "over")


async def test_a_call_whose_timer_was_lost_is_missed_by_the_job(call_server):
    """A process that rang and died leaves its call ringing: the booths job ends it."""
    anna = await call_server.person(STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    platform = call_server.app.other_asgi_app.state.platform
    [job] = [job for job in platform.services["jobs"].jobs if job.__name__ == "missed_calls"]
    call = await call_server.status(rang["call"])
    assert await job(call.ring_until - timedelta(seconds=1)) == 0  # not yet
    assert await job(call.ring_until) == 1
    [told] = await buyer.wait_for("call")
    assert told["status"] == "missed"
    assert [o["reason"] for o in await anna.wait_for("ring-over")] == ["missed"]
    # a caller's page that reconnects asks where its call stands
    status = await buyer.call("status", {"call": rang["call"]})
    assert (status["ok"], status["status"]) == (True, "missed")
    assert (await anna.call("status", {"call": rang["call"]}))["reason"] == "not-found"


async def test_two_staff_accepting_at_once_exactly_one_wins(call_server):
    anna = await call_server.person(STAFF, online=True)
    rocco = await call_server.person(SECOND_STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    await anna.wait_for("ring")
    await rocco.wait_for("ring")
    replies = await asyncio.gather(
        anna.call("accept", {"call": rang["call"]}), rocco.call("accept", {"call": rang["call"]})
    )
    assert sorted(reply["ok"] for reply in replies) == [False, True]
    loser = next(reply for reply in replies if not reply["ok"])
    assert loser["reason"] == "taken"
    assert len(await call_server.video_rooms()) == 1
    assert len(await buyer.wait_for("call")) == 1


async def test_the_visitor_hangs_up_and_the_staff_stop_ringing(call_server):
    anna = await call_server.person(STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    await anna.wait_for("ring")
    assert (await buyer.call("cancel", {"call": rang["call"]}))["ended"] is True
    [over] = await anna.wait_for("ring-over")
    assert over["reason"] == "cancelled"
    refused = await anna.call("accept", {"call": rang["call"]})
    assert refused["reason"] == "over"


async def test_nobody_online_one_ringing_call_at_a_time_and_a_flood(call_server):
    buyer = await call_server.person(BUYER)
    nobody = await buyer.call("ring", {"booth": call_server.booth})
    assert (nobody["ok"], nobody["reason"]) == (False, "nobody")
    anna = await call_server.person(STAFF, online=True)
    await call_server.person(OTHER_STAFF, online=True)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    # ringing again (a second tab, a reload) finds the same call and rings nobody twice
    again = await buyer.call("ring", {"booth": call_server.booth})
    assert again["call"] == rang["call"]
    elsewhere = await buyer.call("ring", {"booth": call_server.other_booth})
    assert (elsewhere["ok"], elsewhere["reason"]) == (False, "busy")
    fifth = await buyer.call("ring", {"booth": call_server.booth})
    flood = await buyer.call("ring", {"booth": call_server.booth})
    assert fifth["ok"] is True and flood["reason"] == "rate-limited"  # 5 rings a window
    assert len(await anna.wait_for("ring", 2, seconds=0.5)) == 1
    call_server.clock.now += 61
    assert (await buyer.call("ring", {"booth": call_server.booth}))["call"] == rang["call"]


async def test_bad_payloads_get_errors_and_the_server_keeps_answering(call_server):
    buyer = await call_server.person(BUYER)
    cases = [
        ("ring", {"booth": "sassi"}, "invalid"),
        ("ring", {"booth": call_server.booth, "visitor": 1}, "invalid"),
        ("ring", {"booth": 10**12}, "invalid"),
        ("ring", "x" * 100_000, "invalid"),
        ("accept", {"call": 999_999}, "not-found"),
        ("decline", None, "invalid"),
        ("hang", {"call": 1}, "unknown"),
    ]
    for event, payload, reason in cases:
        reply = await buyer.call(event, payload)
        assert (reply["ok"], reply["reason"]) == (False, reason), (event, payload)
    assert len(await buyer.wait_for("error", len(cases))) == len(cases)
    assert (await buyer.call("ring", {"booth": call_server.booth}))["reason"] == "nobody"


# Who may do what, written by hand: role → outcome of each call event on a call the demo buyer
# started at Sassi Digital Lab (`ring` rings that booth itself).
EVENTS = ("ring", "accept", "decline", "cancel", "status")
PERMISSIONS = {
    "non-participant": ("not-found", "not-found", "not-found", "not-found", "not-found"),
    "visitor (the caller)": ("ok", "forbidden", "forbidden", "ok", "ok"),
    "staff": ("forbidden", "ok", "ok", "not-found", "not-found"),
    "other booth's staff": ("ok", "forbidden", "forbidden", "not-found", "not-found"),
    "organiser": ("ok", "forbidden", "forbidden", "not-found", "not-found"),
}


async def test_permission_table_of_the_call_events(call_server):
    emails = {
        "non-participant": OUTSIDER,
        "visitor (the caller)": BUYER,
        "staff": STAFF,
        "other booth's staff": OTHER_STAFF,
        "organiser": ORGANISER,
    }
    await call_server.person(SECOND_STAFF, online=True)  # someone to ring
    buyer = await call_server.person(BUYER)
    people = {role: await call_server.person(email) for role, email in emails.items()}
    people["visitor (the caller)"] = buyer
    found = []
    for role, expected in PERMISSIONS.items():
        for event, outcome in zip(EVENTS, expected, strict=True):
            async with call_server.database.session() as db:  # a fresh ringing call each time
                await db.execute(
                    update(BoothCall)
                    .where(BoothCall.status == CallStatus.RINGING)
                    .values(status=CallStatus.CANCELLED)
                )
                await db.commit()
            call_server.clock.now += 61  # past the ring limit's window
            rang = await buyer.call("ring", {"booth": call_server.booth})
            assert rang["ok"] is True
            payload = {"booth": call_server.booth} if event == "ring" else {"call": rang["call"]}
            reply = await people[role].call(event, payload)
            got = "ok" if reply["ok"] else reply["reason"]
            if got != outcome:
                found.append(f"{role} {event}: expected {outcome}, got {got}")
    assert found == []

    # anonymous: the handshake itself is refused, so no event reaches the server
    anonymous = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await anonymous.connect(
            call_server.url, namespaces=["/calls"], transports=["websocket"], wait_timeout=5
        )


# The talk_now page for each role, written by hand.
PAGE = {
    "anonymous": 303,
    "non-participant": 403,
    "visitor": 200,
    "staff": 403,
    "other booth's staff": 200,
    "organiser": 200,
}


async def test_permission_table_of_the_talk_now_page(call_server):
    emails = {
        "non-participant": OUTSIDER,
        "visitor": BUYER,
        "staff": STAFF,
        "other booth's staff": OTHER_STAFF,
        "organiser": ORGANISER,
    }
    async with httpx.AsyncClient(base_url=call_server.url) as anonymous:
        got = {"anonymous": await anonymous.get(f"{BOOTH}/talk")}
    for role, email in emails.items():
        got[role] = await (await call_server.http(email)).get(f"{BOOTH}/talk")
    assert {role: response.status_code for role, response in got.items()} == PAGE
    assert "/login?next=" in got["anonymous"].headers["location"]
    visitor = visible_text(got["visitor"].text)
    assert "Talk now with Sassi Digital Lab" in visitor
    assert "Nobody from Sassi Digital Lab is online right now." in visitor
    assert "Not allowed" in visible_text(got["staff"].text)
    missing = await (await call_server.http(BUYER)).get(f"/fairs/{BARI}/booths/no-such/talk")
    assert missing.status_code == 404


async def test_staff_who_come_online_while_it_rings_are_rung_too(call_server):
    anna = await call_server.person(STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    assert rang["rung"] == 1
    [first] = await anna.wait_for("ring")
    async with call_server.database.read_session() as db:
        bari = await db.scalar(select(Fair.id).where(Fair.slug == BARI))
    assert first["fair"] == bari  # the dialog shows only on pages of this fair
    # Rocco opens a page of the fair while it rings: he is rung as well
    rocco = await call_server.person(SECOND_STAFF, online=True)
    [late] = await rocco.wait_for("ring")
    assert (late["call"], late["visitor"], late["fair"]) == (rang["call"], "Giulia Ferri", bari)
    # so Anna's decline alone does not end it; Rocco's does
    first_decline = await anna.call("decline", {"call": rang["call"]})
    assert (first_decline["ok"], first_decline["ended"]) == (True, False)
    assert (await call_server.status(rang["call"])).status == CallStatus.RINGING
    last = await rocco.call("decline", {"call": rang["call"]})
    assert (last["ok"], last["ended"]) == (True, True)
    [told] = await buyer.wait_for("call")
    assert told["status"] == "declined"


async def test_a_page_opened_while_it_rings_shows_the_ring_and_a_declined_one_does_not(
    call_server,
):
    anna = await call_server.person(STAFF, online=True)
    rocco = await call_server.person(SECOND_STAFF, online=True)
    buyer = await call_server.person(BUYER)
    rang = await buyer.call("ring", {"booth": call_server.booth})
    await anna.wait_for("ring")
    await rocco.wait_for("ring")
    # Anna moves to another page: its new connection is told of the call still ringing
    next_page = await call_server.person(STAFF)
    [shown] = await next_page.wait_for("ring")
    assert shown["call"] == rang["call"]
    # once she declined, her next page is not rung again (Rocco still is)
    assert (await anna.call("decline", {"call": rang["call"]}))["ended"] is False
    after_decline = await call_server.person(STAFF)
    rocco_page = await call_server.person(SECOND_STAFF)
    await rocco_page.wait_for("ring")
    await after_decline.call("status", {"call": rang["call"]})  # anything sent before came first
    assert after_decline.received("ring") == []
    # nor is anyone's page once the call stopped ringing
    assert (await buyer.call("cancel", {"call": rang["call"]}))["ended"] is True
    late_page = await call_server.person(SECOND_STAFF)
    await late_page.call("status", {"call": rang["call"]})
    assert late_page.received("ring") == []
