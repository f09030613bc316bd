"""Booths in the halls of a fair: profile, marketplace, documents, chat and visits."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow
from server.fairs.models import Fair, Hall, Participant, Sector, enum_column
from server.identity.models import Firm, User


class OpportunityKind(enum.StrEnum):
    OFFER = "offer"
    REQUEST = "request"


class OpportunityCategory(enum.StrEnum):
    PRODUCT = "product"
    SERVICE = "service"
    PARTNERSHIP = "partnership"
    INVESTMENT = "investment"


class DocumentKind(enum.StrEnum):
    PDF = "pdf"
    IMAGE = "image"


booth_sectors = Table(
    "booth_sectors",
    Base.metadata,
    Column("booth_id", ForeignKey("booths.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
)


class Booth(Base):
    """A firm's stand in one hall of one fair."""

    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("fair_id", "slug"), UniqueConstraint("fair_id", "firm_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    headline: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Folded (lower case, no accents) text of name, headline, description, opportunities and
    # place (hall, region, country in the fair's languages):
    # the same accent- and case-insensitive search on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fair: Mapped[Fair] = relationship()
    hall: Mapped[Hall] = relationship()
    firm: Mapped[Firm] = relationship()
    sectors: Mapped[list[Sector]] = relationship(secondary=booth_sectors, order_by=Sector.position)
    opportunities: Mapped[list[Opportunity]] = relationship(
        back_populates="booth", order_by="Opportunity.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[BoothDocument]] = relationship(
        back_populates="booth",
        order_by="BoothDocument.id",
        cascade="all, delete-orphan",
    )
    links: Mapped[list[BoothLink]] = relationship(
        back_populates="booth", order_by="BoothLink.id", cascade="all, delete-orphan"
    )

    @property
    def logo(self) -> BoothDocument | None:
        logos = [document for document in self.documents if document.is_logo]
        return logos[-1] if logos else None

    @property
    def initials(self) -> str:
        words = [word for word in self.firm.name.split() if word[:1].isalnum()]
        return "".join(word[0] for word in words[:2]).upper() or "?"


class Opportunity(Base):
    """An offer or a request published on a booth (the marketplace)."""

    __tablename__ = "opportunities"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OpportunityKind] = mapped_column(enum_column(OpportunityKind, "opportunity_kind"))
    category: Mapped[OpportunityCategory] = mapped_column(
        enum_column(OpportunityCategory, "opportunity_category")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booth: Mapped[Booth] = relationship(back_populates="opportunities")


class BoothDocument(Base):
    """An uploaded PDF or image, stored under the upload directory by a random key."""

    __tablename__ = "booth_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    is_logo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booth: Mapped[Booth] = relationship(back_populates="documents")


class BoothLink(Base):
    """A video (or other) link shown on a booth."""

    __tablename__ = "booth_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))

    booth: Mapped[Booth] = relationship(back_populates="links")


class Conversation(Base):
    """A visitor's chat with a booth; every staff member of the booth may answer."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("booth_id", "visitor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booth: Mapped[Booth] = relationship()
    visitor: Mapped[Participant] = relationship()


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    from_staff: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])


class ConversationRead(Base):
    """How far one staff member has read a conversation (for unread counts)."""

    __tablename__ = "conversation_reads"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)


class BoothVisit(Base):
    """A logged-in participant's visits to a booth: who, first and last time, how often."""

    __tablename__ = "booth_visits"
    __table_args__ = (UniqueConstraint("booth_id", "visitor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=1)

    visitor: Mapped[Participant] = relationship()


class CallStatus(enum.StrEnum):
    RINGING = "ringing"
    ACCEPTED = "accepted"
    DECLINED = "declined"  # by every staff member it rang
    MISSED = "missed"  # nobody answered in time
    CANCELLED = "cancelled"  # the visitor hung up first


class BoothCall(Base):
    """A visitor's *talk now* call to a booth: rings its online staff; one of them may answer."""

    __tablename__ = "booth_calls"
    __table_args__ = (
        # one ringing call per visitor at a time, whatever the booth (decided by the database)
        Index(
            "uq_booth_calls_ringing_visitor",
            "visitor_id",
            unique=True,
            sqlite_where=text("status = 'ringing'"),
            postgresql_where=text("status = 'ringing'"),
        ),
        Index("ix_booth_calls_booth_id_created_at", "booth_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    status: Mapped[CallStatus] = mapped_column(
        enum_column(CallStatus, "call_status"), default=CallStatus.RINGING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ring_until: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    # the ad-hoc video room's token (rooms own the room; booths keep only its address)
    room: Mapped[str | None] = mapped_column(String(64))

    booth: Mapped[Booth] = relationship()
    visitor: Mapped[Participant] = relationship(foreign_keys=[visitor_id])
    answered_by: Mapped[Participant | None] = relationship(foreign_keys=[answered_by_id])
    rings: Mapped[list[BoothCallRing]] = relationship(
        back_populates="call", cascade="all, delete-orphan"
    )


class BoothCallRing(Base):
    """One staff member a call rang, and whether they declined it."""

    __tablename__ = "booth_call_rings"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("booth_calls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[BoothCall] = relationship(back_populates="rings")
