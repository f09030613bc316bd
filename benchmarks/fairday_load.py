"""Simulated people of a fair day for bench_fairday.py: visitors and booth staff over HTTP and
Socket.IO, and the tally of what they saw (latency per kind of request, refusals, errors,
chat messages sent and delivered)."""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import aiohttp
import socketio
from yarl import URL

SESSION_COOKIE = "fiera_session"
# Every message carries its number, so that the database and the staff's screens can be checked
# for each one, acknowledged or not.
MESSAGE_TAG = re.compile(r"^\[m(\d+)\] ")
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
# url_for gives absolute addresses: keep the path
ACCEPT_FORM = re.compile(
    r'action="(?:https?://[^/"]+)?(/fairs/[^"]+/meetings/requests/(\d+)/accept)"(.*?)</form>', re.S
)
SLOT_OPTION = re.compile(r'<option value="(\d+)"')
SEARCHES = ["digital", "design", "data", "cloud", "media", "robotics", "port", "heritage", "wine"]
# A person types: at least this long between two chat messages of one user. It also keeps a
# user under the chat's rate limit (5 messages in 10 s), which would otherwise refuse them.
TYPING_SECONDS = (2.0, 5.0)
CALL_TIMEOUT = 15.0
DELIVERY_GRACE = 5.0
HTTP_TIMEOUT = 30.0


@dataclass(frozen=True)
class BoothSpot:
    id: int
    slug: str
    firm_id: int
    hall: str


@dataclass(frozen=True)
class Badge:
    email: str
    booth: BoothSpot | None  # the booth they staff, None for a visitor


@dataclass(frozen=True)
class Plan:
    fair: str
    halls: list[str]
    booths: list[BoothSpot]
    people: list[Badge]
    password: str
    seconds: float
    think: tuple[float, float]
    seed: int

    @property
    def staffed(self) -> list[BoothSpot]:
        """Booths with a simulated staff member online: the ones visitors chat with."""
        ids = {p.booth.id for p in self.people if p.booth}
        return [b for b in self.booths if b.id in ids]


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    refused: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return self.ok + sum(self.refused.values()) + sum(self.errors.values())

    def percentile(self, share: float) -> float | None:
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(share) - 1]


@dataclass(frozen=True)
class Page:
    status_code: int
    text: str


@dataclass
class StaffLine:
    """One staff member's live connection to their booth's chats."""

    booth: int
    joined_at: float | None = None
    left_at: float | None = None
    received: dict[int, float] = field(default_factory=dict)


@dataclass
class Sent:
    booth: int
    at: float
    answer: str = "unanswered"  # "ok", or the reason it was refused
    # the staff member's own line, when staff sent it: the reply, not the broadcast, shows it there
    sender_line: StaffLine | None = None


@dataclass
class Tally:
    kinds: dict[str, Kind] = field(default_factory=lambda: defaultdict(Kind))
    messages: dict[int, Sent] = field(default_factory=dict)  # by number
    staff_lines: list[StaffLine] = field(default_factory=list)
    requests_sent: int = 0
    requests_accepted: int = 0
    booth_views: int = 0
    started: float = 0.0
    active_until: float = 0.0
    finished: float = 0.0

    def record(self, kind: str, started: float, refusal: str | None = None) -> None:
        entry = self.kinds[kind]
        entry.latencies.append((time.perf_counter() - started) * 1000)
        if refusal is None:
            entry.ok += 1
        else:
            entry.refused[refusal] += 1

    def error(self, kind: str, reason: str) -> None:
        self.kinds[kind].errors[reason] += 1

    def answers(self) -> Counter:
        return Counter(sent.answer for sent in self.messages.values())

    def deliveries(self, stored: set[int]) -> tuple[int, int, int, list[float]]:
        """Of the stored messages, those that reached every staff line of their booth;
        deliveries expected, made; and the delay of each delivery in ms."""
        complete = expected = made = 0
        delays = []
        for number, sent in self.messages.items():
            if number not in stored:
                continue
            lines = [
                line
                for line in self.staff_lines
                if line.booth == sent.booth
                and line.joined_at is not None
                and line.joined_at <= sent.at
                and line.left_at is None
                and line is not sent.sender_line
            ]
            got = [line.received[number] for line in lines if number in line.received]
            expected += len(lines)
            made += len(got)
            complete += len(got) == len(lines)
            delays += [max(0.0, (at - sent.at) * 1000) for at in got]
        return complete, expected, made, delays


class Person:
    """What one simulated person does with their browser: pages, forms, Socket.IO."""

    def __init__(self, plan: Plan, person: Badge, base_url: str, tally: Tally, index: int):
        self.plan = plan
        self.person = person
        self.base_url = base_url
        self.tally = tally
        self.rng = random.Random(plan.seed * 100_003 + index)
        self.http: aiohttp.ClientSession | None = None  # made inside the running loop
        self.csrf = ""
        self.last_sent = 0.0
        self.asked: set[int] = set()
        self.deadline = 0.0
        # Visitors come from many addresses, not all from one: the server trusts
        # X-Forwarded-For from 127.0.0.1 (fiera serve behind a proxy). Documentation addresses
        # (2001:db8::/32): only a header, nothing is ever sent to them.
        self.address = f"2001:db8::{index + 1:x}"

    @property
    def fair_path(self) -> str:
        return f"/fairs/{self.plan.fair}"

    def cookie(self) -> str:
        jar = self.http.cookie_jar.filter_cookies(URL(self.base_url))
        return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.plan.think))

    def stopped(self) -> None:
        self.tally.active_until = max(self.tally.active_until, time.perf_counter())

    def time_left(self) -> bool:
        return time.perf_counter() < self.deadline

    async def page(
        self, kind: str, method: str, path: str, refusals: tuple[int, ...] = (), **kwargs
    ) -> Page | None:
        """One HTTP request, tallied: 2xx/3xx ok, the expected 4xx refused, the rest errors."""
        started = time.perf_counter()
        try:
            async with self.http.request(method, path, allow_redirects=False, **kwargs) as answer:
                response = Page(answer.status, await answer.text())
        except TimeoutError:
            self.tally.error(kind, "timeout")
            return None
        except aiohttp.ClientError as exc:
            self.tally.error(kind, type(exc).__name__)
            return None
        status = response.status_code
        if status in refusals:
            self.tally.record(kind, started, f"HTTP {status}")
        elif status >= 400:
            self.tally.error(kind, f"HTTP {status}")
        else:
            self.tally.record(kind, started)
        found = CSRF_TOKEN.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    async def call(
        self, kind: str, sio: socketio.AsyncClient, event: str, data: dict, namespace: str
    ) -> dict | None:
        """One Socket.IO event with its acknowledgement, tallied like a request."""
        started = time.perf_counter()
        try:
            reply = await sio.call(event, data, namespace=namespace, timeout=CALL_TIMEOUT)
        except socketio.exceptions.TimeoutError:
            self.tally.error(kind, "no answer")
            return None
        except socketio.exceptions.SocketIOError as exc:
            self.tally.error(kind, type(exc).__name__)
            return None
        if isinstance(reply, dict) and reply.get("ok"):
            self.tally.record(kind, started)
        elif isinstance(reply, dict) and reply.get("reason") == "rate-limited":
            self.tally.record(kind, started, "rate-limited")
        else:
            reason = reply.get("reason") if isinstance(reply, dict) else repr(reply)
            self.tally.error(kind, f"refused: {reason}")
        return reply

    async def connect(self, namespaces: list[str]) -> socketio.AsyncClient | None:
        sio = socketio.AsyncClient(reconnection=False)
        started = time.perf_counter()
        try:
            await sio.connect(
                self.base_url,
                headers={"Cookie": self.cookie(), "X-Forwarded-For": self.address},
                namespaces=namespaces,
                transports=["websocket"],
                wait_timeout=CALL_TIMEOUT,
            )
        except socketio.exceptions.ConnectionError as exc:
            self.tally.error("socket connect", str(exc)[:60] or type(exc).__name__)
            return None
        self.tally.record("socket connect", started)
        return sio

    async def log_in(self) -> bool:
        """The log-in page for its CSRF token, then the form; True once the session is set."""
        await self.page("log-in page", "GET", "/login")
        response = await self.page(
            "log in",
            "POST",
            "/login",
            data={
                "email": self.person.email,
                "password": self.plan.password,
                "next": self.fair_path,
                "csrf_token": self.csrf,
            },
        )
        if response is None or response.status_code >= 400:
            return False  # tallied as an error already
        if SESSION_COOKIE not in self.cookie():
            self.tally.error("log in", "no session")
            return False
        return True

    async def send_chat(self, sio, booth: int, conversation: int | None, body: str) -> dict | None:
        """Emit one chat message after typing it; counts it as sent, stored or refused."""
        wait = self.last_sent + self.rng.uniform(*TYPING_SECONDS) - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        number = len(self.tally.messages) + 1
        payload = {"booth": booth, "body": f"[m{number}] {body}"}
        if conversation:
            payload["conversation"] = conversation
        self.last_sent = time.perf_counter()
        sent = self.tally.messages[number] = Sent(
            booth, self.last_sent, sender_line=getattr(self, "line", None)
        )
        reply = await self.call("chat send", sio, "send", payload, "/booths")
        if reply is not None:
            sent.answer = "ok" if reply.get("ok") else str(reply.get("reason", "?"))
        return reply

    async def run(self, start_at: float, deadline: float) -> None:
        self.deadline = deadline
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        # aiohttp rather than httpx: measured here, a quarter of the load generator's CPU per
        # request (1.5 ms against 6), and the generator shares the machine with the server
        self.http = aiohttp.ClientSession(
            base_url=self.base_url,
            headers={"X-Forwarded-For": self.address},
            timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT),
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies of 127.0.0.1, an IP address
        )
        try:
            while self.time_left():
                if await self.log_in():
                    await self.fair_day()
                    break
                await self.think()  # a person whose log-in failed tries again
        finally:
            await self.http.close()

    async def fair_day(self) -> None:
        raise NotImplementedError


class Visitor(Person):
    """A buyer: browses halls, searches, visits booths, chats, asks for meetings."""

    async def fair_day(self) -> None:
        actions = [
            (self.fair_page, 2),
            (self.hall, 3),
            (self.search, 3),
            (self.visit_booth, 6),
            (self.ask_for_meeting, 2),
            (self.my_meetings, 1),
        ]
        choices, weights = zip(*actions, strict=True)
        while self.time_left():
            await self.rng.choices(choices, weights)[0]()
            await self.think()
        self.stopped()

    async def fair_page(self) -> None:
        await self.page("fair page", "GET", self.fair_path)

    async def hall(self) -> None:
        await self.page("hall", "GET", f"{self.fair_path}/halls/{self.rng.choice(self.plan.halls)}")

    async def search(self) -> None:
        params = {"q": self.rng.choice(SEARCHES)}
        await self.page("directory search", "GET", f"{self.fair_path}/booths", params=params)

    async def visit_booth(self) -> None:
        """The booth page records a lead and opens the chat; some visitors write to the staff."""
        staffed = self.plan.staffed
        chats = staffed and self.rng.random() < 0.6
        booth = self.rng.choice(staffed if chats else self.plan.booths)
        response = await self.page("booth page", "GET", f"{self.fair_path}/booths/{booth.slug}")
        if response is None or response.status_code != 200:
            return
        self.tally.booth_views += 1
        sio = await self.connect(["/booths"])
        if sio is None:
            return
        try:
            opened = await self.call("chat open", sio, "open", {"booth": booth.id}, "/booths")
            conversation = opened.get("conversation") if opened else None
            if chats:
                for number in range(self.rng.randint(1, 3)):
                    if not self.time_left():
                        break
                    body = f"Hello from {self.person.email}, question {number + 1} for you."
                    reply = await self.send_chat(sio, booth.id, conversation, body)
                    if reply and reply.get("ok"):
                        conversation = reply["message"]["conversation"]
                await self.think()  # reads the answers before leaving the booth
        finally:
            await sio.disconnect()

    async def ask_for_meeting(self) -> None:
        firms = [b.firm_id for b in self.plan.staffed if b.firm_id not in self.asked]
        if not firms:
            return await self.my_meetings()
        firm = self.rng.choice(firms)
        path = f"{self.fair_path}/meetings/new"
        form = await self.page("request form", "GET", path, params={"firm": firm})
        if form is None or form.status_code != 200:
            return None  # no form to fill in (and perhaps no fresh CSRF token)
        await self.think()
        response = await self.page(
            "send request",
            "POST",
            path,
            refusals=(400,),
            data={"firm": firm, "message": "Could we meet at the fair?", "csrf_token": self.csrf},
        )
        self.asked.add(firm)
        if response is not None and response.status_code == 303:
            self.tally.requests_sent += 1

    async def my_meetings(self) -> None:
        await self.page("meetings page", "GET", f"{self.fair_path}/meetings")


class Staff(Person):
    """A booth's staff member: online on the booth's chats, answers some, accepts requests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.to_answer: list[int] = []
        self.visitors_gone = asyncio.Event()
        self.leaving = False
        self.line = StaffLine(self.person.booth.id)
        self.tally.staff_lines.append(self.line)

    def on_message(self, message: dict) -> None:
        tag = MESSAGE_TAG.match(message.get("body") or "")
        if tag:
            self.line.received[int(tag.group(1))] = time.perf_counter()
        if not message.get("from_staff") and self.rng.random() < 0.5:
            self.to_answer.append(message["conversation"])

    def on_disconnect(self, *args) -> None:
        if not self.leaving:
            self.line.left_at = time.perf_counter()

    async def fair_day(self) -> None:
        booth = self.person.booth
        await self.page("fair page", "GET", self.fair_path)
        sio = await self.connect(["/booths", "/fair"])
        if sio is None:
            return
        sio.on("message", self.on_message, namespace="/booths")
        sio.on("disconnect", self.on_disconnect, namespace="/booths")
        try:
            await self.call("fair join", sio, "join", {"fair": self.plan.fair}, "/fair")
            if await self.call("staff join", sio, "staff_join", {"booth": booth.id}, "/booths"):
                self.line.joined_at = time.perf_counter()
            actions = [(self.inbox, 2), (self.answer_requests, 3), (self.leads, 1)]
            choices, weights = zip(*actions, strict=True)
            while self.time_left():
                if self.to_answer:
                    conversation = self.to_answer.pop(0)
                    del self.to_answer[2:]  # a busy booth answers the newest few, not everyone
                    await self.send_chat(sio, booth.id, conversation, "Thanks, let us talk!")
                else:
                    await self.rng.choices(choices, weights)[0]()
                await self.think()
            self.stopped()
            # stay online until every simulated person has stopped, so late messages arrive
            # online until every visitor has left and their last messages had time to arrive
            await self.visitors_gone.wait()
            await asyncio.sleep(DELIVERY_GRACE)
        finally:
            self.leaving = True
            await sio.disconnect()

    async def inbox(self) -> None:
        path = f"{self.fair_path}/booths/{self.person.booth.slug}/chats"
        await self.page("staff inbox", "GET", path)

    async def leads(self) -> None:
        path = f"{self.fair_path}/booths/{self.person.booth.slug}/leads"
        await self.page("staff leads", "GET", path)

    async def answer_requests(self) -> None:
        """Accept a waiting request at one of the first slots offered (others may take it)."""
        response = await self.page("meetings page", "GET", f"{self.fair_path}/meetings")
        if response is None or response.status_code != 200:
            return
        waiting = ACCEPT_FORM.findall(response.text)
        if not waiting:
            return
        action, _request, form = self.rng.choice(waiting)
        slots = SLOT_OPTION.findall(form)[:3]
        data = {"csrf_token": self.csrf}
        if slots:
            data["slot"] = self.rng.choice(slots)
        await self.think()
        answer = await self.page("accept request", "POST", action, refusals=(409,), data=data)
        if answer is not None and answer.status_code == 303:
            self.tally.requests_accepted += 1


async def run(plan: Plan, base_url: str, tally: Tally) -> None:
    """Everyone logs in over the first seconds, then lives the fair day until the deadline."""
    rng = random.Random(plan.seed)
    ramp = min(10.0, plan.seconds / 6)
    tally.started = time.perf_counter()
    deadline = tally.started + plan.seconds
    people = [
        (Staff if person.booth else Visitor)(plan, person, base_url, tally, index)
        for index, person in enumerate(plan.people)
    ]
    starts = {p: tally.started + rng.uniform(0, ramp) for p in people}
    staff = [p for p in people if isinstance(p, Staff)]
    visitors_gone = asyncio.Event()
    for person in staff:
        person.visitors_gone = visitors_gone

    async def visitors() -> None:
        try:
            await asyncio.gather(
                *(p.run(starts[p], deadline) for p in people if isinstance(p, Visitor))
            )
        finally:
            visitors_gone.set()

    try:
        await asyncio.gather(visitors(), *(p.run(starts[p], deadline) for p in staff))
    finally:
        tally.finished = time.perf_counter()
