"""What a booth's staff see: the chat inbox, leads, and their CSV exports."""

from __future__ import annotations

from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booths import calls, chat, leads
from booths.routes.paths import edited_booth_of
from server.exports import csv_response
from server.features import platform
from server.forms import whole_number
from server.templating import render


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


async def inbox(request: Request) -> Response:
    selected = whole_number(request.query_params.get("c", ""))
    before = whole_number(request.query_params.get("before", ""))
    async with platform(request).database.session() as db:
        context = await edited_booth_of(request, db)
        conversations = await chat.inbox(db, context.booth, context.user)
        latest = await chat.latest_message_id(db, context.booth)
        conversation = messages = None
        has_more = False
        if selected is None and conversations:
            selected = conversations[0].conversation.id  # the newest one is open at first
        if selected is not None:
            conversation = await chat.conversation_in(db, context.booth, selected)
            if conversation is None:
                raise HTTPException(404)
            messages, has_more = await chat.history(db, conversation, before)
            if messages and before is None:
                # the newest page is on screen: all of this conversation is read now
                await chat.mark_read(db, conversation, context.user, messages[-1].id)
                await db.commit()
                for summary in conversations:
                    if summary.conversation.id == conversation.id:
                        summary.unread = 0
    return render(
        request,
        "booths/chats.html",
        {
            "fair": context.fair,
            "booth": context.booth,
            "conversations": conversations,
            "conversation": conversation,
            "messages": messages or [],
            "has_more": has_more,
            "is_organiser": context.is_organiser,
            "me": context.me,
            "latest": latest,
        },
    )


async def export_chats(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await edited_booth_of(request, db)
        rows = await chat.export_rows(db, context.booth)
    return csv_response(
        f"{context.booth.slug}-chats.csv",
        ["conversation", "sender", "sent_at_utc", "from_staff", "message", "removed"],
        [
            [
                cid,
                sender,
                _iso(at),
                "yes" if staff else "no",
                "" if removed else body,
                "yes" if removed else "no",
            ]
            for cid, sender, at, staff, body, removed in rows
        ],
    )


async def leads_page(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await edited_booth_of(request, db)
        found = await leads.leads(db, context.booth)
        booth_calls = await calls.calls_of(db, context.booth)
    return render(
        request,
        "booths/leads.html",
        {
            "fair": context.fair,
            "booth": context.booth,
            "leads": found,
            "calls": booth_calls,
        },
    )


async def export_leads(request: Request) -> Response:
    async with platform(request).database.read_session() as db:
        context = await edited_booth_of(request, db)
        found = await leads.leads(db, context.booth)
    rows = []
    for lead in found:
        user = lead.participant.user
        firm = user.firm
        rows.append(
            [
                user.name,
                user.email,
                firm.name if firm else "",
                firm.country if firm else "",
                str(lead.participant.role),
                lead.visits,
                _iso(lead.first_visit),
                _iso(lead.last_visit),
                lead.messages,
                lead.calls,
            ]
        )
    return csv_response(
        f"{context.booth.slug}-leads.csv",
        [
            "name",
            "email",
            "firm",
            "country",
            "role",
            "visits",
            "first_visit_utc",
            "last_visit_utc",
            "messages",
            "calls",
        ],
        rows,
    )


BOOTH = "/fairs/{fair:str}/booths/{booth:str}"
routes = [
    Route(f"{BOOTH}/chats", inbox, name="booth_chats"),
    Route(f"{BOOTH}/chats.csv", export_chats, name="booth_chats_csv"),
    Route(f"{BOOTH}/leads", leads_page, name="booth_leads"),
    Route(f"{BOOTH}/leads.csv", export_leads, name="booth_leads_csv"),
]
