"""Booth chat: conversations between a visitor and a booth's staff, and their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booths.models import Booth, ChatMessage, Conversation, ConversationRead
from server.db import utcnow
from server.fairs.models import Participant
from server.identity.models import Firm, User

MAX_MESSAGE = 2000
HISTORY_PAGE = 50


@dataclass
class ConversationSummary:
    conversation: Conversation
    unread: int
    last_body: str


def message_payload(message: ChatMessage, booth_id: int) -> dict:
    """What clients receive for one message (the body is text, escaped where it is shown)."""
    return {
        "id": message.id,
        "conversation": message.conversation_id,
        "booth": booth_id,
        "body": "" if message.removed_at else message.body,
        "removed": message.removed_at is not None,
        "sender": message.sender.name,
        "from_staff": message.from_staff,
        "at": message.created_at.isoformat(),
    }


async def firm_name(db: AsyncSession, user: User) -> str:
    """The name of the user's firm, or nothing for a person without one."""
    if user.firm_id is None:
        return ""
    return await db.scalar(select(Firm.name).where(Firm.id == user.firm_id)) or ""


async def conversation_of(
    db: AsyncSession, booth: Booth, visitor: Participant
) -> Conversation | None:
    return await db.scalar(
        select(Conversation).where(
            Conversation.booth_id == booth.id, Conversation.visitor_id == visitor.id
        )
    )


async def conversation_in(
    db: AsyncSession, booth: Booth, conversation_id: int
) -> Conversation | None:
    """One of this booth's conversations (another booth's id answers None)."""
    return await db.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id, Conversation.booth_id == booth.id)
        .options(selectinload(Conversation.visitor).selectinload(Participant.user))
    )


async def post(
    db: AsyncSession,
    booth: Booth,
    sender: User,
    body: str,
    *,
    from_staff: bool,
    conversation: Conversation | None = None,
    visitor: Participant | None = None,
    now: datetime | None = None,
) -> ChatMessage:
    """Store a message; a visitor's first message opens the conversation."""
    now = now or utcnow()
    if conversation is None:
        if visitor is None:
            raise ValueError("a new conversation needs its visitor")
        conversation = await conversation_of(db, booth, visitor)
        if conversation is None:
            conversation = Conversation(
                fair_id=booth.fair_id, booth_id=booth.id, visitor_id=visitor.id, created_at=now
            )
            try:
                async with db.begin_nested():
                    db.add(conversation)
            except IntegrityError:  # opened by another tab a moment ago
                conversation = await conversation_of(db, booth, visitor)
    conversation.last_message_at = now
    message = ChatMessage(
        fair_id=booth.fair_id,
        conversation_id=conversation.id,
        sender_id=sender.id,
        from_staff=from_staff,
        body=body,
        created_at=now,
    )
    message.sender = sender
    db.add(message)
    await db.flush()
    return message


async def history(
    db: AsyncSession,
    conversation: Conversation,
    before_id: int | None = None,
    limit: int = HISTORY_PAGE,
) -> tuple[list[ChatMessage], bool]:
    """One page of messages, oldest first, ending before `before_id`; and whether more exist."""
    statement = select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
    if before_id:
        statement = statement.where(ChatMessage.id < before_id)
    rows = list(
        await db.scalars(
            statement.order_by(ChatMessage.id.desc())
            .limit(limit + 1)
            .options(selectinload(ChatMessage.sender))
        )
    )
    return list(reversed(rows[:limit])), len(rows) > limit


async def message_in_fair(db: AsyncSession, fair_id: int, message_id: int) -> ChatMessage | None:
    return await db.scalar(
        select(ChatMessage)
        .where(ChatMessage.id == message_id, ChatMessage.fair_id == fair_id)
        .options(selectinload(ChatMessage.sender))
    )


async def remove(db: AsyncSession, message: ChatMessage, by: User) -> None:
    """Take a message down (organisers); its place in the history says so."""
    message.removed_at = utcnow()
    message.removed_by_id = by.id
    await db.flush()


async def mark_read(db: AsyncSession, conversation: Conversation, user: User, last_id: int) -> None:
    """Remember how far a staff member has read."""
    read = await db.get(ConversationRead, (conversation.id, user.id))
    if read is None:
        db.add(
            ConversationRead(conversation_id=conversation.id, user_id=user.id, last_read_id=last_id)
        )
    elif last_id > read.last_read_id:
        read.last_read_id = last_id
    await db.flush()


def _unread(booth: Booth, user: User):
    """Counts the visitors' messages in the booth's conversations that `user` has not read."""
    read_upto = (
        select(ConversationRead.last_read_id)
        .where(
            ConversationRead.conversation_id == ChatMessage.conversation_id,
            ConversationRead.user_id == user.id,
        )
        .scalar_subquery()
    )
    return (
        select(func.count())
        .select_from(ChatMessage)
        .join(Conversation, ChatMessage.conversation_id == Conversation.id)
        .where(
            Conversation.booth_id == booth.id,
            ChatMessage.from_staff.is_(False),
            ChatMessage.removed_at.is_(None),
            ChatMessage.id > func.coalesce(read_upto, 0),
        )
    )


async def inbox(db: AsyncSession, booth: Booth, user: User) -> list[ConversationSummary]:
    """The booth's conversations, newest first, with what this staff member has not read."""
    conversations = list(
        await db.scalars(
            select(Conversation)
            .where(Conversation.booth_id == booth.id)
            .order_by(Conversation.last_message_at.desc())
            .options(
                selectinload(Conversation.visitor)
                .selectinload(Participant.user)
                .selectinload(User.firm)
            )
        )
    )
    if not conversations:
        return []
    ids = [conversation.id for conversation in conversations]
    unread_rows = await db.execute(
        _unread(booth, user)
        .add_columns(ChatMessage.conversation_id)
        .group_by(ChatMessage.conversation_id)
    )
    unread = {conversation_id: count for count, conversation_id in unread_rows.all()}
    last_ids = (
        select(func.max(ChatMessage.id))
        .where(ChatMessage.conversation_id.in_(ids))
        .group_by(ChatMessage.conversation_id)
    )
    last_rows = await db.execute(
        select(ChatMessage.conversation_id, ChatMessage.body, ChatMessage.removed_at).where(
            ChatMessage.id.in_(last_ids)
        )
    )
    last = {cid: ("" if removed else body) for cid, body, removed in last_rows.all()}
    return [ConversationSummary(c, unread.get(c.id, 0), last.get(c.id, "")) for c in conversations]


async def latest_message_id(db: AsyncSession, booth: Booth) -> int:
    """The newest message of any of the booth's conversations (0 when there is none)."""
    latest = await db.scalar(
        select(func.max(ChatMessage.id))
        .join(Conversation, ChatMessage.conversation_id == Conversation.id)
        .where(Conversation.booth_id == booth.id)
    )
    return latest or 0


async def inbox_is_started(db: AsyncSession, booth: Booth) -> bool:
    return (
        await db.scalar(select(Conversation.id).where(Conversation.booth_id == booth.id).limit(1))
        is not None
    )


async def unread_total(db: AsyncSession, booth: Booth, user: User) -> int:
    """All that `user` has not read in the booth's conversations, in one count."""
    return await db.scalar(_unread(booth, user)) or 0


async def export_rows(db: AsyncSession, booth: Booth) -> list[tuple]:
    """Every message of every conversation of the booth, for the CSV export."""
    rows = await db.execute(
        select(
            Conversation.id,
            User.name,
            ChatMessage.created_at,
            ChatMessage.from_staff,
            ChatMessage.body,
            ChatMessage.removed_at,
        )
        .join(ChatMessage, ChatMessage.conversation_id == Conversation.id)
        .join(User, and_(User.id == ChatMessage.sender_id))
        .where(Conversation.booth_id == booth.id)
        .order_by(Conversation.id, ChatMessage.id)
    )
    return list(rows.all())
