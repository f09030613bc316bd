"""Accent- and case-insensitive matching that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

from server.i18n import LANGUAGES


def fold(text: str) -> str:
    """Lower case without accents: 'Côte' → 'cote', 'Αθήνα' → 'αθηνα'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def terms(query: str, limit: int = 8) -> list[str]:
    """The folded words of a search box, at most `limit`, each at most 50 characters."""
    return [word[:50] for word in fold(query).split()][:limit]


@cache
def country_names(code: str) -> tuple[str, ...]:
    """A country's name in the fair's languages and its own: 'GR' → Greece, Grecia, Ελλάδα."""
    names: list[str] = []
    for language in (*LANGUAGES, *get_official_languages(code)):
        try:
            name = Locale.parse(language).territories.get(code.upper())
        except (UnknownLocaleError, ValueError):  # a language babel has no data for
            continue
        if name and name not in names:
            names.append(name)
    return tuple(names)
