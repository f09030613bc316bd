"""Walking the site as a visitor would: the links, forms and query parameters its pages offer."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx
from starlette.routing import Route

CSRF_FIELD = "csrf_token"
# Pages that end the visit or are not pages: a crawl never follows or submits them.
NOT_FOLLOWED_PREFIXES = ("/static/", "/socket.io")


@dataclass
class Form:
    """A <form> as a browser would submit it untouched, and every name it could send."""

    page: str
    method: str
    action: str
    multipart: bool
    defaults: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add_name(self, name: str) -> None:
        if name and name != CSRF_FIELD and name not in self.names:
            self.names.append(name)


class PageParser(HTMLParser):
    """Collects the links and forms of one page (fields outside a form are ignored)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, values, selected
        self._option: list[str] | None = None  # [value or None, text]
        self._textarea: tuple[str, list[str]] | None = None
        self._button_sent = False

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "input" and "readonly" in attrs and attrs.get("value", "").startswith("http"):
            # an address the page offers to copy (a calendar feed) is a link too
            self.links.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page, attrs["href"]))
        elif tag == "form":
            self._form = Form(
                page=self.page,
                method=attrs.get("method", "get").lower(),
                action=urljoin(self.page, attrs.get("action") or self.page),
                multipart="multipart" in attrs.get("enctype", ""),
            )
            self._button_sent = False
        elif self._form is not None:
            self._field(tag, attrs)

    def _field(self, tag, attrs):
        form, name = self._form, attrs.get("name", "")
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("reset", "button", "image") or not name:
                return
            form.add_name(name)
            if kind == "file":
                form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form.defaults.append((name, attrs.get("value", "on")))
            elif kind == "submit":
                self._button(name, attrs.get("value", ""))
            else:
                form.defaults.append((name, attrs.get("value", "")))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            form.add_name(name)
            self._button(name, attrs.get("value", ""))
        elif tag == "select" and name:
            form.add_name(name)
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), ""]
            if "selected" in attrs:
                self._option.append("selected")
        elif tag == "textarea" and name:
            form.add_name(name)
            self._textarea = (name, [])

    def _button(self, name: str, value: str) -> None:
        # a browser sends only the button that was pressed: the first one here
        if not self._button_sent:
            self._form.defaults.append((name, value))
            self._button_sent = True

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option[0] is not None else self._option[1].strip()
            self._select[1].append(value)
            if len(self._option) > 2:
                self._select[2].append(value)
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, values, selected = self._select
            chosen = selected[:1] or values[:1]
            self._form.defaults.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.defaults.append((name, "".join(parts)))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def route_of(routes: list, path: str) -> Route | None:
    """The application route whose path pattern matches `path` (any method)."""
    for route in routes:
        if isinstance(route, Route) and route.path_regex.match(path):
            return route
    return None


@dataclass
class Crawl:
    """What one visitor reached: pages by URL with their status, forms, links with queries."""

    pages: dict[str, int] = field(default_factory=dict)
    forms: list[Form] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    reached: dict[str, str] = field(default_factory=dict)  # route name → a real URL of it


def crawl(
    client: httpx.Client, routes: list, start: str = "/", per_shape: int = 2, limit: int = 150
) -> Crawl:
    """Breadth-first from `start` over same-origin links, at most `per_shape` URLs per route
    and set of query names, and `limit` pages in all."""
    origin = str(client.base_url).rstrip("/")
    found = Crawl()
    queue: deque[str] = deque([origin + start])
    queued = {origin + start}
    shapes: Counter = Counter()
    form_keys: set = set()

    def enqueue(url: str, redirected: bool = False) -> None:
        url = url.split("#", 1)[0]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin or url in queued:
            return
        if parts.path.startswith(NOT_FOLLOWED_PREFIXES):
            return
        route = route_of(routes, parts.path)
        if route is None or "GET" not in (route.methods or ()):
            return
        shape = (route.name, frozenset(name for name, _ in parse_qsl(parts.query)))
        # where the site sends a visitor (their own booth) is always worth a visit
        if shapes[shape] >= per_shape and not redirected:
            return
        shapes[shape] += 1
        queued.add(url)
        queue.append(url)

    while queue and len(found.pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        found.pages[url] = response.status_code
        parts = urlsplit(url)
        route = route_of(routes, parts.path)
        if route is not None and route.param_convertors and response.status_code < 400:
            found.reached.setdefault(route.name, url)
        if parts.query:
            found.queries.append(url)
        if response.is_redirect:
            enqueue(urljoin(url, response.headers["location"]), redirected=True)
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        parser = PageParser(url)
        parser.feed(response.text)
        for link in parser.links:
            enqueue(link)
        for form in parser.forms:
            action = urlsplit(form.action)
            target = route_of(routes, action.path)
            if target is not None and target.param_convertors:
                found.reached.setdefault(target.name, form.action)
            # one form per route, fields and method: the same form on another booth adds little
            key = (form.method, target.name if target else action.path, tuple(form.names))
            if key in form_keys:
                continue
            form_keys.add(key)
            found.forms.append(form)
            if form.method == "get":
                # a GET form is a link whose query the visitor types
                typed = dict(form.defaults)
                query = urlencode([(name, typed.get(name, "")) for name in form.names])
                found.queries.append(f"{form.action.split('?')[0]}?{query}")
    return found
