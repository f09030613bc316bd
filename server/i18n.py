"""Translations (Babel catalogues under web/translations) and the locale of the current request."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from functools import cache
from io import BytesIO

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

from server.settings import WEB_DIR

LANGUAGES = {"en": "English", "it": "Italiano"}
DEFAULT_LANGUAGE = "en"
TRANSLATIONS_DIR = WEB_DIR / "translations"

# The cookie that remembers an anonymous visitor's choice of language.
LANGUAGE_COOKIE = "fiera_lang"
current_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_language", default=DEFAULT_LANGUAGE
)


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue for `language`, compiled in memory from its .po file."""
    path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translate into `language` inside the block (a task's own context, not the request's)."""
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


def gettext(message: str, **variables) -> str:
    text = translations(current_language.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(current_language.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str, **variables) -> LazyProxy:
    """A string translated when it is shown, for module-level constants."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


def locale() -> Locale:
    return Locale.parse(current_language.get())


def negotiate(accept_language: str) -> str | None:
    """Pick one of our languages from an Accept-Language header."""
    offered = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        offered.append((quality, tag.strip().lower()))
    for _quality, tag in sorted(offered, key=lambda item: -item[0]):
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
    return None
