"""What the organiser sees of a run: progress, figures, the proposed grid and the reasons."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from rooms import queries
from rooms.models import MeetingRequest, RequestStatus, RunStatus, ScheduleRun, Slot
from rooms.optimising import instance, runs, tables
from server.fairs.models import Fair, Participant
from server.i18n import gettext as _
from server.identity.models import Firm, User

Sides = tuple[str, str]  # a request's sender and recipient, as `side_names` says them


@dataclass
class Proposal:
    sides: Sides
    slot: Slot
    table: int | None


@dataclass
class Preview:
    figures: dict
    slots: list[Slot]
    tables: int
    at_table: dict[tuple[int, int], Proposal] = field(default_factory=dict)
    existing: dict = field(default_factory=dict)  # (slot id, table) -> Meeting already booked
    video: list[Proposal] = field(default_factory=list)
    unplaced: list[tuple[Sides, str]] = field(default_factory=list)

    def rows(self) -> list[tuple[Slot, list[Cell | None]]]:
        """The grid slot by slot, a cell per table (None: free), laid out here rather than
        looked up cell by cell in the template: a big fair's grid has thousands of cells."""
        grid = []
        for slot in self.slots:
            cells: list[Cell | None] = []
            for table in range(1, self.tables + 1):
                if (proposal := self.at_table.get((slot.id, table))) is not None:
                    cells.append(Cell(True, proposal.sides))
                elif (booked := self.existing.get((slot.id, table))) is not None:
                    cells.append(Cell(False, tuple(_attendee_name(a) for a in booked.attendees)))
                else:
                    cells.append(None)
            grid.append((slot, cells))
        return grid


@dataclass(frozen=True)
class Cell:
    """A taken table in one slot: a proposed meeting, or one booked before."""

    proposed: bool
    names: tuple[str, ...]


def _attendee_name(attendee) -> str:
    """A booked meeting's attendee as the grid names them: firm, else person."""
    return attendee.firm.name if attendee.firm else attendee.participant.user.name


def side_names(request: MeetingRequest) -> Sides:
    """The two sides of a request as the organiser names them: firm, else person."""
    sender = request.sender_firm.name if request.sender_firm else request.sender.user.name
    return sender, request.recipient_firm.name


def _person(names: dict[str, str], key: str) -> str:
    return names.get(key, key)


def reason_in_words(text: str, names: dict[str, str]) -> str:
    """The solver's reason for an unplaced meeting, said for people, with names not ids."""
    if match := re.fullmatch(r"participant (p\d+) reached max_meetings (\d+)", text):
        return _(
            "%(name)s has reached their limit of %(num)s meetings.",
            name=_person(names, match[1]),
            num=match[2],
        )
    if match := re.fullmatch(r"participant (p\d+) is unavailable in every slot.*", text):
        return _("%(name)s is unavailable in every slot.", name=_person(names, match[1]))
    if text.startswith("no slot") and "available" in text:
        return _("The two sides have no slot free in common.")
    if text == "no free table in any slot all participants can do":
        return _("Every table is taken in the slots both sides can do.")
    if text == "no free video room in any slot all participants can do":
        return _("Every video room is taken in the slots both sides can do.")
    if text == "the participants are already booked in every slot they can all do":
        return _("Both sides are already booked in every slot they can both do.")
    if text.startswith("no free "):
        return _("No slot has both sides free and a free place to meet.")
    if text == "not placed within the time limit":
        return _("Not placed within the time limit: a longer run may place it.")
    return text


async def _requests(db: AsyncSession, ids: list[int]) -> dict[int, MeetingRequest]:
    if not ids:
        return {}
    rows = await db.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.id.in_(ids))
        .options(
            selectinload(MeetingRequest.sender).selectinload(Participant.user),
            selectinload(MeetingRequest.sender_firm),
            selectinload(MeetingRequest.recipient_firm),
            selectinload(MeetingRequest.recipient).selectinload(Participant.user),
        )
    )
    return {row.id: row for row in rows}


async def _sides(db: AsyncSession, fair: Fair, ids: list[int]) -> dict[int, Sides]:
    """Request id -> its two sides named as `side_names` does, read as plain columns: a preview
    names thousands of requests, and loading each with its people and firms took seconds."""
    if not ids:
        return {}
    wanted = set(ids)
    sender, sender_user = aliased(Participant), aliased(User)
    sender_firm, recipient_firm = aliased(Firm), aliased(Firm)
    rows = await db.execute(
        select(MeetingRequest.id, sender_firm.name, sender_user.name, recipient_firm.name)
        .join(sender, sender.id == MeetingRequest.sender_id)
        .join(sender_user, sender_user.id == sender.user_id)
        .outerjoin(sender_firm, sender_firm.id == MeetingRequest.sender_firm_id)
        .join(recipient_firm, recipient_firm.id == MeetingRequest.recipient_firm_id)
        # the fair's requests, picked here: an IN list of thousands of ids costs more to send
        # than the rows it leaves out
        .where(MeetingRequest.fair_id == fair.id)
    )
    return {
        request_id: (firm if firm is not None else person, recipient)
        for request_id, firm, person, recipient in rows
        if request_id in wanted
    }


async def cancelled_requests(db: AsyncSession, fair: Fair, ids: list[int]) -> list[MeetingRequest]:
    """The fair's cancelled requests among `ids`, to name those a publish left out."""
    found = await _requests(db, ids)
    return [
        found[i]
        for i in sorted(found)
        if found[i].fair_id == fair.id and found[i].status == RequestStatus.CANCELLED
    ]


async def _names(db: AsyncSession, keys: set[str]) -> dict[str, str]:
    """Participant keys (`p7`) -> "Name (Firm)"."""
    ids = [instance.key_id(key) for key in keys]
    if not ids:
        return {}
    rows = await db.scalars(
        select(Participant)
        .where(Participant.id.in_(ids))
        .options(selectinload(Participant.user).selectinload(User.firm))
    )
    names = {}
    for person in rows:
        firm = person.user.firm.name if person.user.firm else None
        names[f"p{person.id}"] = f"{person.user.name} ({firm})" if firm else person.user.name
    return names


async def build_preview(db: AsyncSession, fair: Fair, run: ScheduleRun, now: datetime) -> Preview:
    """The proposed schedule of a finished run, laid out as the organiser's grid."""
    solved, schedule = runs.proposal(run)
    figures = json.loads(run.stats)
    table_of = tables.proposed(solved, schedule, await instance.tables_in_use(db, fair, now))
    slot_ids = [instance.key_id(s.id) for s in solved.slots]
    slots = {slot.id: slot for slot in await db.scalars(select(Slot).where(Slot.id.in_(slot_ids)))}
    request_ids = [instance.key_id(m.id) for m in solved.meetings if instance.is_request(m.id)]
    sides = await _sides(db, fair, request_ids)
    settings = await queries.settings_for(db, fair)
    grid = await queries.grid(db, fair)
    preview = Preview(
        figures=figures,
        slots=[slots[s] for s in slot_ids if s in slots],
        tables=max([settings.tables, *(t for t in table_of.values() if t is not None)]),
        existing=grid.at_table,
    )
    for row in schedule.assignments:
        key = row.meeting
        if not instance.is_request(key) or instance.key_id(key) not in sides:
            continue
        slot = slots.get(instance.key_id(row.slot))
        if slot is None:
            continue
        proposal = Proposal(sides[instance.key_id(key)], slot, table_of.get(key))
        if proposal.table is None:
            preview.video.append(proposal)
        else:
            preview.at_table[(slot.id, proposal.table)] = proposal
    preview.video.sort(key=lambda p: p.slot.starts_at)
    people = set(re.findall(r"\bp\d+\b", " ".join(figures["unplaced"].values())))
    names = await _names(db, people)
    for key, text in figures["unplaced"].items():
        if (named := sides.get(instance.key_id(key))) is not None:
            preview.unplaced.append((named, reason_in_words(text, names)))
    return preview


def failure_in_words(run: ScheduleRun) -> str:
    """Why a failed run failed, said for the organiser ('' unless it failed)."""
    if run.status != RunStatus.FAILED:
        return ""
    if run.error == runs.STOPPED:
        return _("The optimiser stopped unexpectedly; start it again.")
    if run.error == runs.SHUT_DOWN:
        return _("The server stopped during the run; start it again.")
    return _("The last run failed: %(error)s", error=run.error)


def elapsed_seconds(run: ScheduleRun, now: datetime) -> int:
    since = run.started_at or run.created_at
    return max(0, int((now - since).total_seconds()))


def is_active(run: ScheduleRun | None) -> bool:
    return run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
