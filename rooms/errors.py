"""Refusals of meeting actions, shown to the person who asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rooms.models import Slot


@dataclass(frozen=True)
class FreeSlot:
    """A slot offered instead, copied out so that it outlives the rolled-back transaction."""

    id: int
    starts_at: datetime
    ends_at: datetime


class MeetingError(Exception):
    """A refusal to show the person who asked, next to `field` when it concerns one."""

    def __init__(
        self,
        message: str,
        field: str = "form",
        free_slots: Sequence[Slot] = (),
        open_request: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.open_request = open_request  # the request already open that this one would repeat
        self.free_slots = [FreeSlot(s.id, s.starts_at, s.ends_at) for s in free_slots]


class NotFound(Exception):
    """The id names nothing this participant may see (another fair's, or someone else's)."""
