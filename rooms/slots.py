"""Cutting a session (local wall-clock times on one day) into slots stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone` (a time skipped by DST counts as before)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def cut(
    day: date, starts: time, ends: time, zone: ZoneInfo, slot_minutes: int, break_minutes: int
) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each slot in UTC. Slots follow real elapsed time, so a session across
    a daylight-saving change holds as many slots as fit in the hours that actually pass."""
    start = local_moment(day, starts, zone)
    end = local_moment(day, ends, zone)
    length = timedelta(minutes=slot_minutes)
    step = length + timedelta(minutes=break_minutes)
    slots = []
    while start + length <= end:
        slots.append((start, start + length))
        start += step
    return slots
