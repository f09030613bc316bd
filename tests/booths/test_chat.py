"""Booth chat with real Socket.IO clients against the real server on port 0."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from booths.models import Booth, ChatMessage, Conversation
from server.app import create_app
from server.db import Database
from server.fairs.models import Fair, Participant, Role
from server.identity.models import User
from server.identity.passwords import Passwords
from tests.support.demo import BUYER, ORGANISER, OTHER_STAFF, STAFF
from tests.support.live import serve
from tests.support.settings import make_settings
from tests.support.sockets import connect

SECOND_STAFF = "second.staff@sassi.example"


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def chat_server(fresh_demo_url, var_dir):
    settings = make_settings(fresh_demo_url, var_dir)
    database = Database.from_url(fresh_demo_url)
    passwords = Passwords(settings)
    async with database.session() as db:
        # a second staff member of Sassi Digital Lab, to see a message reach every one of them
        anna = await db.scalar(select(User).where(User.email == STAFF))
        colleague = User(
            email=SECOND_STAFF,
            name="Rocco Sassi",
            firm_id=anna.firm_id,
            password_hash=passwords.hash_sync("irrelevant password"),
        )
        db.add(colleague)
        await db.flush()
        bari = await db.scalar(select(Fair).where(Fair.slug == "fiera-mediterranea-b2b"))
        db.add(Participant(fair_id=bari.id, user_id=colleague.id, role=Role.EXHIBITOR))
        booth = await db.scalar(select(Booth.id).where(Booth.slug == "sassi-digital-lab"))
        hidden = await db.scalar(select(Booth).where(Booth.slug == "gravina-media"))
        hidden.hidden = True
        malta_booth = await db.scalar(
            select(Booth.id).join(Fair).where(Fair.slug == "malta-mission-2027").limit(1)
        )
        await db.commit()
    clock = FakeClock()
    app = create_app(
        replace(settings, chat_messages_per_window=5, chat_window_seconds=10.0, monotonic=clock),
        database,
    )
    async with serve(app) as url:
        yield {
            "url": url,
            "database": database,
            "settings": settings,
            "booth": booth,
            "hidden": hidden.id,
            "malta_booth": malta_booth,
            "clock": clock,
        }


async def client(server, email: str):
    return await connect(server["url"], server["database"], server["settings"], email, "/booths")


async def test_a_visitor_message_reaches_every_online_staff_member_and_is_stored(chat_server):
    booth = chat_server["booth"]
    anna, rocco = await client(chat_server, STAFF), await client(chat_server, SECOND_STAFF)
    for staff in (anna, rocco):
        assert (await staff.call("staff_join", {"booth": booth}))["ok"] is True
    buyer = await client(chat_server, BUYER)
    reply = await buyer.call("send", {"booth": booth, "body": "<b>Ciao</b>, can we meet?"})
    assert reply["ok"] is True
    for staff in (anna, rocco):
        [message] = await staff.wait_for("message")
        assert message["body"] == "<b>Ciao</b>, can we meet?"  # text; pages escape it
        assert message["sender"] == "Giulia Ferri" and message["from_staff"] is False
    # one staff member answers; the visitor and the other staff member see it
    answer = await rocco.call(
        "send",
        {
            "booth": booth,
            "conversation": reply["message"]["conversation"],
            "body": "Certo! Tomorrow at 10?",
        },
    )
    assert answer["ok"] is True
    assert [m["body"] for m in await anna.wait_for("message", 2)][-1] == "Certo! Tomorrow at 10?"
    # a sender has the reply: the broadcast does not bring their own message a second time
    assert [m["body"] for m in await buyer.wait_for("message")] == ["Certo! Tomorrow at 10?"]
    assert [m["body"] for m in rocco.received("message")] == ["<b>Ciao</b>, can we meet?"]
    async with chat_server["database"].session() as db:
        conversation = reply["message"]["conversation"]
        bodies = list(
            await db.scalars(
                select(ChatMessage.body)
                .where(ChatMessage.conversation_id == conversation)
                .order_by(ChatMessage.id)
            )
        )
    assert bodies == ["<b>Ciao</b>, can we meet?", "Certo! Tomorrow at 10?"]
    # a staff page joining later learns the newest message, to catch up on what it missed
    late = await client(chat_server, STAFF)
    assert (await late.call("staff_join", {"booth": booth}))["latest"] == answer["message"]["id"]
    await late.close()
    for c in (anna, rocco, buyer):
        await c.close()


async def test_forged_sender_and_unseen_booths_are_refused(chat_server):
    buyer = await client(chat_server, BUYER)
    forged = await buyer.call(
        "send", {"booth": chat_server["booth"], "body": "hi", "sender": 1, "from_staff": True}
    )
    assert forged["ok"] is False and forged["reason"] == "invalid"
    hidden = await buyer.call("send", {"booth": chat_server["hidden"], "body": "hi"})
    assert hidden["reason"] == "not-found"
    # the demo buyer takes no part in the Malta mission
    elsewhere = await buyer.call("send", {"booth": chat_server["malta_booth"], "body": "hi"})
    assert elsewhere["reason"] == "not-found"
    # a visitor cannot read or write into someone else's conversation
    async with chat_server["database"].session() as db:
        theirs = await db.scalar(
            select(Conversation.id).where(Conversation.booth_id == chat_server["booth"])
        )
    peek = await buyer.call("history", {"booth": chat_server["booth"], "conversation": theirs})
    assert peek["reason"] == "not-found"
    sneak = await buyer.call(
        "send", {"booth": chat_server["booth"], "conversation": theirs, "body": "hi"}
    )
    assert sneak["reason"] == "not-found"
    # staff of another booth may not follow this booth's conversations
    other = await client(chat_server, OTHER_STAFF)
    assert (await other.call("staff_join", {"booth": chat_server["booth"]}))[
        "reason"
    ] == "forbidden"
    await buyer.wait_for("error", 5)
    assert [e["reason"] for e in buyer.received("error")] == [
        "invalid",
        "not-found",
        "not-found",
        "not-found",
        "not-found",
    ]
    async with chat_server["database"].session() as db:
        stored = await db.scalar(
            select(func.count()).select_from(ChatMessage).where(ChatMessage.body == "hi")
        )
    assert stored == 0
    await buyer.close()
    await other.close()


async def test_a_flood_is_throttled_while_others_still_get_through(chat_server):
    booth = chat_server["booth"]
    staff = await client(chat_server, STAFF)
    await staff.call("staff_join", {"booth": booth})
    flooder = await client(chat_server, BUYER)
    polite = await client(chat_server, "marc.olivier@buyers.fiera.demo")
    replies = [await flooder.call("send", {"booth": booth, "body": f"spam {n}"}) for n in range(12)]
    assert [r["ok"] for r in replies] == [True] * 5 + [False] * 7
    assert replies[-1]["reason"] == "rate-limited"
    assert (await polite.call("send", {"booth": booth, "body": "Bonjour"}))["ok"] is True
    bodies = [m["body"] for m in await staff.wait_for("message", 6)]
    assert bodies == [f"spam {n}" for n in range(5)] + ["Bonjour"]
    chat_server["clock"].now += 10.5  # the window passes: the flooder may write again
    assert (await flooder.call("send", {"booth": booth, "body": "sorry"}))["ok"] is True
    for c in (staff, flooder, polite):
        await c.close()


async def test_history_pages_back_through_long_conversations(chat_server):
    booth = chat_server["booth"]
    chat_server["clock"].now = 0
    buyer = await client(chat_server, BUYER)
    for n in range(130):
        chat_server["clock"].now += 10  # stay under the rate limit
        assert (await buyer.call("send", {"booth": booth, "body": f"m{n}"}))["ok"]
    opened = await buyer.call("open", {"booth": booth})
    assert [m["body"] for m in opened["messages"]] == [f"m{n}" for n in range(80, 130)]
    seen = opened["messages"]
    while opened["has_more"]:
        opened = await buyer.call(
            "history",
            {"booth": booth, "conversation": opened["conversation"], "before": seen[0]["id"]},
        )
        seen = opened["messages"] + seen
    assert [m["body"] for m in seen] == [f"m{n}" for n in range(130)]
    await buyer.close()


async def test_organiser_removes_a_message_and_everyone_sees_it_go(chat_server):
    booth = chat_server["booth"]
    staff = await client(chat_server, STAFF)
    await staff.call("staff_join", {"booth": booth})
    buyer = await client(chat_server, BUYER)
    sent = await buyer.call("send", {"booth": booth, "body": "rude words"})
    organiser = await client(chat_server, ORGANISER)
    refused = await buyer.call(
        "remove", {"message": sent["message"]["id"], "fair": "fiera-mediterranea-b2b"}
    )
    assert refused["reason"] == "forbidden"
    done = await organiser.call(
        "remove", {"message": sent["message"]["id"], "fair": "fiera-mediterranea-b2b"}
    )
    assert done["ok"] is True
    for watcher in (staff, buyer):
        [removed] = await watcher.wait_for("removed")
        assert removed["removed"] is True and removed["body"] == ""
    for c in (staff, buyer, organiser):
        await c.close()


async def test_refusals_speak_the_language_of_whoever_connected(chat_server):
    async with chat_server["database"].session() as db:
        giulia = await db.scalar(select(User).where(User.email == BUYER))
        giulia.language = "it"
        await db.commit()
    buyer = await client(chat_server, BUYER)
    hidden = await buyer.call("send", {"booth": chat_server["hidden"], "body": "ciao"})
    assert (hidden["reason"], hidden["message"]) == ("not-found", "Questo stand non esiste.")
    forged = await buyer.call("send", {"booth": chat_server["booth"], "body": "ciao", "sender": 1})
    assert (forged["reason"], forged["message"]) == ("invalid", "Dati non validi: sender.")
    unknown = await buyer.call("shout", {})
    assert (unknown["reason"], unknown["message"]) == ("unknown", "Questo evento non esiste.")
    errors = await buyer.wait_for("error", 3)
    assert [e["message"] for e in errors] == [
        "Questo stand non esiste.",
        "Dati non validi: sender.",
        "Questo evento non esiste.",
    ]
    # the same refusal for someone who reads English, on the same server at the same time
    other = await client(chat_server, STAFF)
    refused = await other.call("send", {"booth": chat_server["hidden"], "body": "hello"})
    assert refused["message"] == "There is no such booth."
    for c in (buyer, other):
        await c.close()
