"""Reading submitted forms defensively: every value a bounded string, never a 500."""

from __future__ import annotations

import unicodedata

from starlette.datastructures import FormData
from starlette.requests import Request

MAX_FIELD = 20_000


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=50, max_part_size=MAX_FIELD * 4)


# Control characters never belong in typed text; PostgreSQL refuses NUL outright.
_KEPT_CONTROLS = {"\t", "\n", "\r"}


def without_controls(value: str) -> str:
    """The text less its control characters (tab and line breaks stay)."""
    if value.isprintable():
        return value
    return "".join(ch for ch in value if ch in _KEPT_CONTROLS or unicodedata.category(ch) != "Cc")


def text(form: FormData, name: str) -> str:
    """The field as text ('' when missing or a file), control characters dropped; long values
    are kept for the validator."""
    value = form.get(name)
    return without_controls(value) if isinstance(value, str) else ""


def query_text(value: str | None, limit: int) -> str:
    """A query-string value without control characters (PostgreSQL refuses NUL), bounded."""
    value = (value or "")[: limit * 2]
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")[:limit]


def whole_number(value: str, max_digits: int = 9) -> int | None:
    """A non-negative whole number typed into a field, or None when it is anything else."""
    value = value.strip()
    # isdigit() accepts "²" and other digits that int() refuses: only ASCII 0-9 is a number here
    if not (value.isascii() and value.isdigit()) or len(value) > max_digits:
        return None
    return int(value)
