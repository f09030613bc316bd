"""Accent- and case-insensitive matching that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: 'Côte' → 'cote', 'Αθήνα' → 'αθηνα'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def terms(query: str, limit: int = 8) -> list[str]:
    """The folded words of a search box, at most `limit`, each at most 50 characters."""
    return [word[:50] for word in fold(query).split()][:limit]
