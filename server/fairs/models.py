"""Fairs, their halls (regions) and sectors, and the people taking part."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow
from server.identity.models import User


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    EXHIBITOR = "exhibitor"
    BUYER = "buyer"


class Attendance(enum.StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"


class BookingMode(enum.StrEnum):
    ON_ACCEPTANCE = "on_acceptance"  # the accepting side picks a slot
    ORGANISER = "organiser"  # accepted requests wait for the optimiser


def enum_column(cls: type[enum.StrEnum], name: str) -> Enum:
    # Stored as VARCHAR with a CHECK constraint: identical on SQLite and PostgreSQL, and a new
    # value is a simple migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Fair(Base):
    __tablename__ = "fairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    time_zone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    hybrid: Mapped[bool] = mapped_column(Boolean, default=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    booking_mode: Mapped[BookingMode] = mapped_column(
        enum_column(BookingMode, "booking_mode"), default=BookingMode.ON_ACCEPTANCE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    halls: Mapped[list[Hall]] = relationship(
        back_populates="fair", order_by="Hall.position", cascade="all, delete-orphan"
    )
    sectors: Mapped[list[Sector]] = relationship(
        back_populates="fair", order_by="Sector.position", cascade="all, delete-orphan"
    )


class Hall(Base):
    """A regional hall of a fair (Basilicata, Provence-Alpes-Côte d'Azur, ...)."""

    __tablename__ = "halls"
    __table_args__ = (UniqueConstraint("fair_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(Integer, default=0)

    fair: Mapped[Fair] = relationship(back_populates="halls")


class Sector(Base):
    __tablename__ = "sectors"
    __table_args__ = (UniqueConstraint("fair_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    fair: Mapped[Fair] = relationship(back_populates="sectors")


class Participant(Base):
    """A user taking part in one fair, in one role."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("fair_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "participant_role"))
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance, "participant_attendance"), default=Attendance.ONSITE
    )
    max_meetings: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fair: Mapped[Fair] = relationship()
    user: Mapped[User] = relationship()
