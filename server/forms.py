"""Reading submitted forms defensively (every value a bounded string, never a 500), noting each
problem next to its field, and saving a form or showing it again with what was typed."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from datetime import date, time
from enum import Enum
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

MAX_FIELD = 20_000

T = TypeVar("T")
E = TypeVar("E", bound=Enum)


class FormError(Exception):
    """Refusals to show next to the fields they concern, by field name ("form": the whole form)."""

    def __init__(self, **errors: str):
        super().__init__(errors)
        self.errors = errors

    @property
    def message(self) -> str:
        """Every refusal in one line, for a place that has no fields (the command line)."""
        return " ".join(self.errors.values())


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


def iso_date(value: str) -> date | None:
    """A date typed as 2027-03-18, or None."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def time_of_day(value: str) -> time | None:
    """A wall-clock time such as 09:30, or None (a time with an offset too)."""
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        return None
    # an offset such as "09:00+05:00" would not compare with the naive times it is checked against
    return parsed if parsed.tzinfo is None else None


def member(choices: type[E]) -> Callable[[str], E | None]:
    """A parser for the value of one of `choices`, or None for anything else."""
    return lambda value: next((choice for choice in choices if choice.value == value), None)


class Form:
    """A submitted form read field by field: what was typed is kept to show again, and each
    problem is noted next to its field."""

    def __init__(self, data: FormData):
        self.data = data
        self.typed: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    @classmethod
    async def read(cls, request: Request) -> Form:
        return cls(await read_form(request))

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, field: str, message: str) -> None:
        """Note a problem next to `field`, unless one is already shown there."""
        self.errors.setdefault(field, message)

    def text(self, name: str) -> str:
        """The field's text, control characters dropped, kept to show again."""
        self.typed[name] = value = text(self.data, name)
        return value

    def flag(self, name: str) -> bool:
        """Whether a checkbox sending "1" is ticked."""
        return self.text(name) == "1"

    def value(
        self, name: str, parse: Callable[[str], T | None], message: str, *, optional=False
    ) -> T | None:
        """The field parsed, or None with `message` next to it when `parse` refuses it; an
        `optional` field left empty is None without a message."""
        typed = self.text(name)
        if optional and not typed.strip():
            return None
        parsed = parse(typed)
        if parsed is None:
            self.refuse(name, message)
        return parsed

    def clean(self, name: str, cleaner: Callable[[str], tuple[T, str | None]]) -> T:
        """The field as `cleaner` tidies it; the cleaner's message, if any, goes next to it."""
        value, error = cleaner(self.text(name))
        if error:
            self.refuse(name, error)
        return value

    def check(self, name: str, check: Callable[[str], str | None]) -> str:
        """The field's text; the message `check` returns, if any, goes next to it."""
        value = self.text(name)
        if error := check(value):
            self.refuse(name, error)
        return value

    def file(self, name: str) -> UploadFile | None:
        """The file chosen in the field, or None when none was."""
        value = self.data.get(name)
        return value if isinstance(value, UploadFile) and value.filename else None

    def whole_numbers(self, name: str) -> list[int]:
        """The ids ticked under `name` that are whole numbers; anything else is dropped."""
        numbers = (whole_number(v) for v in self.data.getlist(name) if isinstance(v, str))
        return [n for n in numbers if n is not None]

    async def commit(
        self, db: AsyncSession, operation: Callable[..., Awaitable[T]], *args, **kwargs
    ) -> T | None:
        """Run `operation` and commit when the form holds no error; a FormError it raises is
        rolled back and its messages go next to their fields (then `ok` is False)."""
        if self.errors:
            return None
        try:
            result = await operation(*args, **kwargs)
        except FormError as refused:
            # the rollback expires what `db` had loaded: show the form again from a fresh read
            await db.rollback()
            self.errors.update(refused.errors)
            return None
        await db.commit()
        return result
