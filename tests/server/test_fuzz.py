"""Arbitrary text in every form field, query parameter and path parameter: never a 500.

The surface is discovered, not listed: each demo visitor crawls the site from the home page and
every form, query parameter and route with ids it meets is fuzzed. Hypothesis draws the values
(all of Unicode, plus the numbers, digits, times and escapes that broke pages before) from a fixed
seed per field, so a run is reproducible. Every distinct 5xx is collected with its traceback
before the tests assert, so one run reports them all.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st
from starlette.convertors import IntegerConvertor
from starlette.routing import Route

from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from server.identity.sessions import SESSION_COOKIE
from tests.support.crawl import Crawl, Form, crawl, route_of
from tests.support.pages import csrf_token, visible_text
from tests.support.served import ServedDemo
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow  # crawls and fuzzes two served demos: left out of make test-fast

ROLES = ["anonymous", "buyer", "exhibitor", "organiser"]
# Drawn examples per field and parameter, after the HOSTILE ones: few, so that the module runs in
# about a minute per database; dig deeper locally with FIERA_FUZZ_EXAMPLES=50.
EXAMPLES = int(os.environ.get("FIERA_FUZZ_EXAMPLES", "2"))
# Never submitted: they end the visitor's session, which the rest of the fuzz relies on.
NOT_SUBMITTED = {"logout"}


@pytest.fixture(scope="module")
def demo(backend, var_dir) -> Iterator[ServedDemo]:
    """The demo seeded once per backend for the whole module and served on 127.0.0.1."""
    served = ServedDemo(backend, var_dir, make_settings).start()
    yield served
    served.stop()


@contextlib.contextmanager
def visitor(demo: ServedDemo, role: str) -> Iterator[httpx.Client]:
    """A browser-like client for one demo role, logged in unless anonymous."""
    with httpx.Client(base_url=demo.url, timeout=60) as client:
        if role != "anonymous":
            log_in(client, role)
        yield client


def log_in(client: httpx.Client, role: str) -> None:
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, visible_text(response.text)


@pytest.fixture(scope="module")
def crawls(demo) -> dict[str, Crawl]:
    """What each demo role reaches from the home page."""
    started = time.perf_counter()
    found = {}
    for role in ROLES:
        with visitor(demo, role) as client:
            found[role] = crawl(client, demo.routes)
    pages = sum(len(each.pages) for each in found.values())
    print(f"crawl: {pages} pages in {time.perf_counter() - started:.0f} s")
    return found


# Values that broke pages before, or that parsers treat specially: digits of other scripts,
# numbers past every integer type, signs, blanks, times with offsets, escapes.
TARGETED = [
    "²",
    "٣",
    "１",
    "١٠",
    "߂",
    "12345678901234567890",
    str(2**31),
    str(2**63),
    str(2**64),
    "-1",
    "-0",
    "0",
    "1e400",
    "NaN",
    "1.5",
    "",
    " ",
    "\t\n",
    "\u3000",
    "\u202eغرفة\u202c",
    "🎪🤝",
    "2027-03-17T09:00:00+05:30",
    "2027-03-17T09:00-14:00",
    "2027-02-30",
    "9999-12-31T23:59:59Z",
    "25:61",
    "09:00+01:00",
    "%00",
    "\x00",
    "a\x00b",
    "../..",
    "'\"<>&;",
]
# Tried on every field and parameter before the drawn ones: each broke a page once.
HOSTILE = ["\x00", "²", "99999999999999999999", "2027-03-17T09:00+14:00", "é🎪" * 300]
CHARACTERS = st.characters(codec="utf-8")  # every code point but surrogates, which cannot be sent


def values(repeats: tuple[int, int]) -> st.SearchStrategy[str]:
    """Arbitrary text, the targeted values, and very long text (`repeats` of a short piece)."""
    long = st.builds(
        lambda piece, times: piece * times,
        st.text(CHARACTERS, min_size=1, max_size=3),
        st.integers(*repeats),
    )
    return st.one_of(st.sampled_from(TARGETED), st.text(CHARACTERS, max_size=40), long)


FORM_VALUES = values((2_000, 8_000))
URL_VALUES = values((50, 300))  # URLs stay within what a server reads as one request line
IDS = st.integers(0, 999_999_999).map(str)
ERROR_PAGE = re.compile(r'class="error-code"[^>]*>\s*5\d\d\s*<')
FORM_TYPE = "application/x-www-form-urlencoded"
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass
class Finding:
    """One distinct server error: where, with what, and the cause the server logged."""

    owner: str
    where: str
    value: str
    status: str
    cause: str

    def __str__(self) -> str:
        return f"{self.where} = {self.value!r:.100} -> {self.status}: {self.cause}"


@dataclass
class Findings:
    """Distinct server errors by place and cause, each with the shortest value that caused it."""

    by_key: dict[tuple, Finding] = field(default_factory=dict)
    requests: int = 0

    def add(self, finding: Finding) -> None:
        key = (finding.where, finding.cause.split(" at ")[-1] or finding.cause)
        known = self.by_key.get(key)
        if known is None or len(finding.value) < len(known.value):
            self.by_key[key] = finding

    def of(self, owner: str) -> list[str]:
        return sorted(str(f) for f in self.by_key.values() if f.owner == owner)


def owner_of(route) -> str:
    """The package that answers a route: server, booths or rooms."""
    return route.endpoint.__module__.split(".")[0] if route is not None else "server"


class Fuzzer:
    """One demo visitor sending drawn values; every 5xx becomes a Finding."""

    def __init__(self, demo: ServedDemo, client: httpx.Client, role: str, findings: Findings):
        self.demo, self.client, self.role, self.findings = demo, client, role, findings
        self.token = ""
        self.refresh()

    def refresh(self) -> None:
        """A valid CSRF token for this visitor, logging in again if a fuzzed form logged out."""
        if self.role == "anonymous":
            self.client.cookies.delete(SESSION_COOKIE)
            self.token = csrf_token(self.get("/login").text)
            return
        page = self.get("/account")
        if page.status_code != 200:
            self.client.cookies.clear()
            log_in(self.client, self.role)
            page = self.get("/account")
        self.token = csrf_token(page.text)

    def get(self, path: str) -> httpx.Response:
        """GET once more if the server dropped the connection after a 500 on it."""
        try:
            return self.client.get(path)
        except httpx.TransportError:
            return self.client.get(path)

    def send(self, method: str, url: str, where: str, value: str, **body) -> None:
        """Make the request; a 5xx, the 500 page or no answer at all becomes a Finding."""
        route = route_of(self.demo.routes, urlsplit(url).path)
        session = self.client.cookies.get(SESSION_COOKIE)
        logged = len(self.demo.errors.entries)
        self.findings.requests += 1
        try:
            response = self.client.request(method, url, **body)
        except httpx.TransportError as error:
            status, page = f"no answer ({type(error).__name__})", ""
        else:
            status, page = str(response.status_code), response.text
            html_page = "text/html" in response.headers.get("content-type", "")
            if response.status_code < 500 and not (html_page and ERROR_PAGE.search(page)):
                if self.client.cookies.get(SESSION_COOKIE) != session:
                    self.refresh()
                return
        causes = self.demo.errors.entries[logged:] or ["(nothing logged)"]
        self.findings.add(
            Finding(owner_of(route), f"{self.role}: {where}", value, status, causes[0])
        )
        self.refresh()

    def submit(self, form: Form, every: bool, chosen: str, drawn: list[str], content: bytes):
        """Send the form with one field (`chosen`), or every field, replaced by drawn values."""
        if every:
            fields = list(zip(form.names, drawn, strict=True))
            chosen, value = "every field", repr(dict(fields))
        else:
            value = drawn[form.names.index(chosen)]
            fields = [(name, old) for name, old in form.defaults if name != chosen]
            fields.append((chosen, value))
        fields = [(name, typed) for name, typed in fields if name != "csrf_token"]
        fields.append(("csrf_token", self.token))
        body: dict = {"content": urlencode(fields), "headers": {"content-type": FORM_TYPE}}
        if form.multipart:
            upload = (value[:80] or "file", content)
            body = {"data": dict(fields), "files": {name: upload for name in form.files}}
        where = f"{form.method.upper()} {path_of(form.action)} [{chosen}]"
        self.send(form.method.upper(), form.action, where, value, **body)

    def query(self, url: str, name: str, value: str) -> None:
        """GET the page with one query parameter replaced by `value`."""
        parts = urlsplit(url)
        query = [
            (key, value if key == name else old)
            for key, old in parse_qsl(parts.query, keep_blank_values=True)
        ]
        where = f"GET {parts.path}?{name}="
        self.send("GET", f"{parts.path}?{urlencode(query)}", where, value)

    def path(self, route, real: dict[str, str], name: str | None, value: str = "") -> None:
        """Request the route with its real ids, one (`name`) replaced by `value`."""
        params = {**real, name: value} if name else real
        path = PARAMETER.sub(lambda m: quote(params[m.group(1)], safe=""), route.path)
        method = "GET" if "GET" in route.methods else "POST"
        body = {"data": {"csrf_token": self.token}} if method == "POST" else {}
        where = f"{method} {route.path} [{name or 'real ids'}]"
        self.send(method, path, where, value, **body)


def path_of(url: str) -> str:
    return urlsplit(url).path


def run_examples(key: str, each, strategy: st.SearchStrategy, explicit: list) -> None:
    """Call `each(*drawn)` on the `explicit` arguments, then on a bounded, reproducible series
    of Hypothesis examples of `strategy` (a tuple of arguments)."""

    def call(drawn):
        each(*drawn)

    test = given(strategy)(call)
    for arguments in explicit:
        test = example(arguments)(test)
    test = seed(zlib.crc32(key.encode()))(test)
    settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # every error is collected, not raised: there is nothing to shrink
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(test)()


def real_ids(crawls: dict[str, Crawl], routes: list) -> dict[str, tuple[str, dict[str, str]]]:
    """For every route with path parameters: a role that reached it and its real parameters.

    A route no crawl reached gets the values the same parameter names had elsewhere (the fair,
    the booth) and 1 for the rest, so it is still requested."""
    seen_values: dict[str, str] = {}
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for role in PATH_ROLES:
        for name, url in crawls[role].reached.items():
            route = next(r for r in routes if getattr(r, "name", None) == name)
            params = route.path_regex.match(path_of(url)).groupdict()
            found.setdefault(name, (role, params))
            for key, value in params.items():
                seen_values.setdefault(key, value)
    for route in routes:
        if isinstance(route, Route) and route.param_convertors and route.name not in found:
            params = {name: seen_values.get(name, "1") for name in route.param_convertors}
            found[route.name] = ("organiser", params)
    return found


# The role whose visit of a route goes deepest: its owner's staff, then its organiser.
PATH_ROLES = ["exhibitor", "organiser", "buyer", "anonymous"]


def fuzz_form(fuzzer: Fuzzer, form: Form) -> None:
    count = len(form.names)
    strategy = st.tuples(
        st.booleans(),
        st.sampled_from(form.names),
        st.lists(FORM_VALUES, min_size=count, max_size=count),
        st.binary(max_size=64),
    )
    explicit = [(True, form.names[0], [value] * count, b"") for value in HOSTILE]
    run_examples(f"form {form.action}", partial(fuzzer.submit, form), strategy, explicit)


@pytest.fixture(scope="module")
def findings(demo, crawls) -> Findings:
    """Every form, query parameter and path parameter each role met, fuzzed."""
    started = time.perf_counter()
    found = Findings()
    ids = real_ids(crawls, demo.routes)
    explicit = [(value,) for value in HOSTILE]
    for role in ROLES:
        with visitor(demo, role) as client:
            fuzzer = Fuzzer(demo, client, role, found)
            for form in crawls[role].forms:
                route = route_of(demo.routes, path_of(form.action))
                if form.names and getattr(route, "name", None) not in NOT_SUBMITTED:
                    fuzz_form(fuzzer, form)
            for url, name in query_parameters(crawls[role]):
                each = partial(fuzzer.query, url, name)
                run_examples(f"query {url} {name}", each, st.tuples(URL_VALUES), explicit)
            for route_name, (owner, params) in ids.items():
                if owner != role or route_name in NOT_SUBMITTED:
                    continue
                route = next(r for r in demo.routes if getattr(r, "name", None) == route_name)
                fuzzer.path(route, params, None)
                for name, convertor in route.param_convertors.items():
                    # only digits pass an id's pattern: other text stops at the router
                    drawn = IDS if isinstance(convertor, IntegerConvertor) else URL_VALUES
                    each = partial(fuzzer.path, route, params, name)
                    run_examples(f"path {route.path} {name}", each, st.tuples(drawn), explicit)
    seconds = time.perf_counter() - started
    print(f"fuzz: {found.requests} requests in {seconds:.0f} s, {len(found.by_key)} server errors")
    return found


def query_parameters(found: Crawl) -> list[tuple[str, str]]:
    """One URL per route and query parameter name that the visitor met."""
    chosen: dict[tuple, tuple[str, str]] = {}
    for url in found.queries:
        parts = urlsplit(url)
        for name, _ in parse_qsl(parts.query, keep_blank_values=True):
            chosen.setdefault((parts.path, name), (url, name))
    return list(chosen.values())


# Forms the demo shows each role (by route name): if the crawl stops finding them, the fuzz
# silently covers less, so this list is written by hand.
KNOWN_FORMS = {
    "anonymous": {"login", "signup", "set_language"},
    "buyer": {
        "account",
        "change_password",
        "join_fair",
        "request_meeting",
        "save_availability",
        "cancel_request",
        "cancel_meeting",
    },
    "exhibitor": {
        "edit_booth",
        "add_opportunity",
        "add_link",
        "add_document",
        "accept_request",
        "decline_request",
        "save_availability",
    },
    "organiser": {
        "save_agenda_settings",
        "add_agenda_session",
        "delete_agenda_session",
        "start_schedule_run",
        "booth_visibility",
    },
}
# Routes with ids that the demo offers no instance of: no optimiser run exists until an
# organiser starts one. They are still requested, with the fair's real slug and id 1, and fuzzed.
NOT_IN_THE_DEMO = {
    "publish_schedule_run",
    "discard_schedule_run",
    # a form of the room page shown to organisers only (moderators), who reach rooms by address
    "end_room",
    # the link of a password-reset mail: its token exists only in the mail (tested end to end in
    # tests/server/test_password_reset.py)
    "reset_password",
}


def test_the_crawl_finds_the_forms_each_role_uses(demo, crawls):
    for role, expected in KNOWN_FORMS.items():
        found = {
            getattr(route_of(demo.routes, path_of(form.action)), "name", form.action)
            for form in crawls[role].forms
        }
        assert expected <= found, f"{role} misses {sorted(expected - found)}"
    organiser_pages = {path_of(url) for url in crawls["organiser"].pages}
    assert "/fairs/malta-mission-2027/organise/schedule" in organiser_pages


def test_every_route_with_ids_is_reached_with_real_ids(demo, crawls):
    reached = set().union(*(found.reached for found in crawls.values()))
    with_ids = {
        route.name for route in demo.routes if isinstance(route, Route) and route.param_convertors
    }
    assert with_ids - reached == NOT_IN_THE_DEMO


def test_platform_pages_answer_every_value_without_a_server_error(findings):
    """Accounts, fairs and the organiser's fair pages (server/)."""
    assert findings.requests > 500
    errors = findings.of("server")
    assert not errors, "\n".join(errors)


def test_booth_pages_answer_every_value_without_a_server_error(findings):
    """Halls, booths, their editor, chats and leads (booths/)."""
    errors = findings.of("booths")
    assert not errors, "\n".join(errors)


def test_meeting_pages_answer_every_value_without_a_server_error(findings):
    """Meeting requests, agendas, calendar feeds and the schedule (rooms/)."""
    errors = findings.of("rooms")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("slug", ["%00", "fiera-mediterranea-b2b%00"])
async def test_a_fair_slug_with_nul_is_not_found(client, slug):
    response = await client.get(f"/fairs/{slug}/booths")
    assert response.status_code == 404
    assert "Page not found" in visible_text(response.text)
