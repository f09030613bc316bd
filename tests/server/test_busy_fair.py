"""A busy fair day on the real server: many people writing at once lose nothing, on both databases.

One test per kind of write that every visitor makes (log-in, a booth visit, a chat message): on
SQLite a transaction that reads and then writes used to be refused at once while another writer
held the lock, which only shows with several clients against a running server.
"""

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from booths.models import Booth, BoothVisit, ChatMessage
from server.demo import DEMO_PASSWORD
from server.fairs.models import Fair, Participant, Role
from server.identity.models import User
from tests.support.pages import csrf_token, visible_text
from tests.support.sockets import Client, session_cookie

pytestmark = pytest.mark.slow  # many clients at once: left out of make test-fast

BARI = "fiera-mediterranea-b2b"
BOOTH = "sassi-digital-lab"
STAFF = "exhibitor@fiera.demo"


async def _people_of_bari(database, count: int, *, not_of_booth: str = BOOTH) -> list[str]:
    """E-mails of Bari participants who are neither organisers nor staff of `not_of_booth`."""
    async with database.read_session() as db:
        booth = await db.scalar(select(Booth).where(Booth.slug == not_of_booth))
        emails = await db.scalars(
            select(User.email)
            .join(Participant, Participant.user_id == User.id)
            .join(Fair, Fair.id == Participant.fair_id)
            .where(
                Fair.slug == BARI,
                Participant.role != Role.ORGANISER,
                User.firm_id != booth.firm_id,
            )
            .order_by(User.id)
        )
        found = list(emails)
    assert len(found) >= count, f"the demo has only {len(found)} such people"
    return found[:count]


async def test_parallel_log_ins_of_different_people_all_succeed(live):
    url, database, _settings = live
    emails = await _people_of_bari(database, 10)
    start = asyncio.Event()

    async def log_in(email: str) -> tuple[int, str]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            token = csrf_token((await client.get("/login")).text)
            await start.wait()
            response = await client.post(
                "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
            )
            if response.status_code != 303:
                return response.status_code, visible_text(response.text)[:200]
            account = await client.get("/account")
            return account.status_code, email if email in account.text else "not logged in"

    tasks = [asyncio.create_task(log_in(email)) for email in emails]
    await asyncio.sleep(0.2)
    start.set()
    results = await asyncio.gather(*tasks)
    assert results == [(200, email) for email in emails]


async def test_parallel_booth_visits_are_all_pages_and_all_counted(live):
    url, database, settings = live
    emails = await _people_of_bari(database, 10)
    cookies = [await session_cookie(database, settings, email) for email in emails]
    visits_each = 5

    async def visit(cookie: str) -> list[int]:
        async with httpx.AsyncClient(base_url=url, timeout=30, headers={"Cookie": cookie}) as c:
            statuses = []
            for _ in range(visits_each):
                page = await c.get(f"/fairs/{BARI}/booths/{BOOTH}")
                statuses.append(page.status_code)
                assert "Sassi Digital Lab" in page.text
            return statuses

    before = await _visits(database, emails)
    results = await asyncio.gather(*(visit(cookie) for cookie in cookies))
    assert results == [[200] * visits_each] * len(cookies)
    assert await _visits(database, emails) == before + len(cookies) * visits_each


async def _visits(database, emails: list[str]) -> int:
    """How many visits of these people the booth's leads count."""
    async with database.read_session() as db:
        counted = await db.scalar(
            select(func.coalesce(func.sum(BoothVisit.count), 0))
            .join(Booth, Booth.id == BoothVisit.booth_id)
            .join(Participant, Participant.id == BoothVisit.visitor_id)
            .join(User, User.id == Participant.user_id)
            .where(Booth.slug == BOOTH, User.email.in_(emails))
        )
    return int(counted)


async def test_parallel_chat_messages_are_all_stored_acknowledged_and_delivered(live):
    url, database, settings = live
    visitors = await _people_of_bari(database, 20)
    staff = await Client("/booths").connect(url, await session_cookie(database, settings, STAFF))
    async with database.read_session() as db:
        booth_id = await db.scalar(select(Booth.id).where(Booth.slug == BOOTH))
        before = await db.scalar(select(func.count()).select_from(ChatMessage))
    assert (await staff.call("staff_join", {"booth": booth_id}))["ok"]
    clients = [
        await Client("/booths").connect(url, await session_cookie(database, settings, email))
        for email in visitors
    ]
    per_visitor = 5  # the most the rate limit lets through in its window
    start = asyncio.Event()

    async def chat(client: Client, who: int) -> list[dict]:
        await start.wait()
        return list(
            await asyncio.gather(
                *(
                    # a hundred writers queue for SQLite's one writer: on a loaded machine the
                    # last answer may take a while; what counts is that every one comes
                    client.call(
                        "send",
                        {"booth": booth_id, "body": f"visitor {who} message {n}"},
                        seconds=60,
                    )
                    for n in range(per_visitor)
                )
            )
        )

    try:
        tasks = [asyncio.create_task(chat(client, i)) for i, client in enumerate(clients)]
        start.set()
        replies = [reply for replies in await asyncio.gather(*tasks) for reply in replies]
        sent = len(visitors) * per_visitor
        refused = [reply for reply in replies if not reply["ok"]]
        assert refused == [], refused[:3]
        delivered = await staff.wait_for("message", count=sent, seconds=60)
        async with database.read_session() as db:
            stored = await db.scalar(select(func.count()).select_from(ChatMessage)) - before
        assert (len(replies), stored, len(delivered)) == (sent, sent, sent)
        bodies = {reply["message"]["body"] for reply in replies}
        assert f"visitor {len(visitors) - 1} message {per_visitor - 1}" in bodies
    finally:
        for client in [staff, *clients]:
            await client.close()
