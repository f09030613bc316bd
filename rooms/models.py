"""B2B meetings: the agenda (settings, sessions, slots), availability, requests and meetings.

Double booking is made impossible by the database. A meeting and each of its attendee rows carry
`active_slot_id`, equal to the slot while the meeting is active and NULL once it is cancelled;
unique constraints over (participant, active slot) and (active slot, table number) then ignore
cancelled meetings (NULLs never collide, on SQLite and PostgreSQL alike). Open requests use the
same trick with `open_pair`, so that two firms have at most one open request between them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow
from server.fairs.models import Participant, enum_column
from server.identity.models import Firm


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class MeetingMode(enum.StrEnum):
    ONSITE = "onsite"  # at a numbered table
    VIDEO = "video"  # in a video room


class AgendaSettings(Base):
    """How a fair's meeting days are cut into slots, and the rules for requests."""

    __tablename__ = "agenda_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), unique=True)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)  # between two slots
    tables: Mapped[int] = mapped_column(Integer, default=10)
    request_expiry_hours: Mapped[int] = mapped_column(Integer, default=72)
    max_meetings: Mapped[int | None] = mapped_column(Integer, default=None)  # per participant
    # video rooms the media server holds at once (per slot); None: no limit
    video_rooms: Mapped[int | None] = mapped_column(Integer, default=None)
    # a video meeting's room opens this long before the slot and closes this long after its end
    room_opens_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    room_grace_minutes: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # together this long in the room, a meeting counts as held
    held_minutes: Mapped[int] = mapped_column(Integer, default=3, server_default="3")


class AgendaSession(Base):
    """A block of a meeting day in the fair's local time (e.g. 17 March, 09:30-13:00)."""

    __tablename__ = "agenda_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)  # wall-clock time in the fair's zone
    ends: Mapped[time] = mapped_column(Time)
    label: Mapped[str] = mapped_column(String(80), default="")

    slots: Mapped[list[Slot]] = relationship(
        back_populates="session",
        order_by="Slot.starts_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Slot(Base):
    """One meeting slot, derived from a session; stored in UTC."""

    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("fair_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[AgendaSession] = relationship(back_populates="slots")


class UnavailableSlot(Base):
    """A slot a participant cannot do."""

    __tablename__ = "unavailable_slots"
    __table_args__ = (UniqueConstraint("participant_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), index=True)


class MeetingRequest(Base):
    """A participant asks a firm for a meeting; any of the firm's staff may answer."""

    __tablename__ = "meeting_requests"
    __table_args__ = (UniqueConstraint("fair_id", "open_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    sender_firm_id: Mapped[int | None] = mapped_column(
        ForeignKey("firms.id", ondelete="SET NULL"), index=True
    )
    recipient_firm_id: Mapped[int] = mapped_column(
        ForeignKey("firms.id", ondelete="CASCADE"), index=True
    )
    # whoever of the recipient firm answered (and, when accepted, became the participant)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "request_status"), default=RequestStatus.PENDING, index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was declined or cancelled
    # "f12|f40" (firms, or "p7" for a participant without a firm) while pending or accepted,
    # NULL once closed: the unique constraint refuses a second open request between the two.
    open_pair: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )

    sender: Mapped[Participant] = relationship(foreign_keys=[sender_id])
    sender_firm: Mapped[Firm | None] = relationship(foreign_keys=[sender_firm_id])
    recipient_firm: Mapped[Firm] = relationship(foreign_keys=[recipient_firm_id])
    recipient: Mapped[Participant | None] = relationship(foreign_keys=[recipient_id])
    meeting: Mapped[Meeting | None] = relationship(back_populates="request", uselist=False)


class Meeting(Base):
    """A booked meeting: a slot, its attendees, and its place (a table or a video room)."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("active_slot_id", "table_number"),
        # like tables, video rooms are numbered per slot, so their capacity holds under races
        UniqueConstraint("active_slot_id", "video_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="SET NULL"), unique=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"), index=True)
    active_slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED, index=True
    )
    mode: Mapped[MeetingMode] = mapped_column(enum_column(MeetingMode, "meeting_mode"))
    table_number: Mapped[int | None] = mapped_column(Integer)
    video_room: Mapped[str | None] = mapped_column(String(40), unique=True)
    video_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # an organiser ended the video room before its time
    room_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[Slot] = relationship(foreign_keys=[slot_id])
    request: Mapped[MeetingRequest | None] = relationship(back_populates="meeting")
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def active(self) -> bool:
        return self.status != MeetingStatus.CANCELLED


class MeetingAttendee(Base):
    """A participant in a meeting, on behalf of a firm; at most one active meeting per slot."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (
        UniqueConstraint("meeting_id", "participant_id"),
        UniqueConstraint("participant_id", "active_slot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firms.id", ondelete="SET NULL"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    active_slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"))
    # never came into the video room (set when the room's meeting is settled)
    no_show: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    participant: Mapped[Participant] = relationship()
    firm: Mapped[Firm | None] = relationship()


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # a preview waits for the organiser
    FAILED = "failed"
    PUBLISHED = "published"
    DISCARDED = "discarded"


ACTIVE_RUN = (RunStatus.QUEUED, RunStatus.RUNNING)


class ScheduleRun(Base):
    """One run of the optimiser on a fair's accepted requests, and its proposed schedule.

    `active_fair_id` equals `fair_id` while the run is queued or running and is NULL after:
    its unique constraint lets the database refuse a second run of the same fair (the same
    trick as `active_slot_id`, identical on SQLite and PostgreSQL).
    """

    __tablename__ = "schedule_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    active_fair_id: Mapped[int | None] = mapped_column(
        ForeignKey("fairs.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "schedule_run_status"), default=RunStatus.QUEUED
    )
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    time_limit: Mapped[int] = mapped_column(Integer)  # seconds
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance: Mapped[str | None] = mapped_column(Text)  # the scheduling format, as JSON
    result: Mapped[str | None] = mapped_column(Text)  # the schedule, as JSON
    stats: Mapped[str | None] = mapped_column(Text)  # figures about the requests, as JSON
    error: Mapped[str] = mapped_column(Text, default="")
    # The server process that runs it ("host:pid:token"), to fail it at once when that is gone
    owner: Mapped[str] = mapped_column(String(200), default="", server_default="")


class VideoRoomKind(enum.StrEnum):
    CALL = "call"  # a booth's talk-now call


class VideoRoom(Base):
    """An ad-hoc video room (a booth's talk-now call); its token shares the meetings' space."""

    __tablename__ = "video_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[VideoRoomKind] = mapped_column(
        enum_column(VideoRoomKind, "video_room_kind"), default=VideoRoomKind.CALL
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[VideoRoomMember]] = relationship(
        back_populates="room", cascade="all, delete-orphan", passive_deletes=True
    )


class VideoRoomMember(Base):
    """A participant who may enter an ad-hoc video room."""

    __tablename__ = "video_room_members"
    __table_args__ = (UniqueConstraint("room_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(
        ForeignKey("video_rooms.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )

    room: Mapped[VideoRoom] = relationship(back_populates="members")
    participant: Mapped[Participant] = relationship()


class VisitRole(enum.StrEnum):
    ATTENDEE = "attendee"  # of the meeting
    MODERATOR = "moderator"  # an organiser of the fair
    MEMBER = "member"  # of an ad-hoc room


class RoomVisit(Base):
    """One stay of one person in a video room, from join to leave: what reports read."""

    __tablename__ = "room_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    room: Mapped[str] = mapped_column(String(40), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    video_room_id: Mapped[int | None] = mapped_column(
        ForeignKey("video_rooms.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[VisitRole] = mapped_column(enum_column(VisitRole, "room_visit_role"))
    peer: Mapped[str] = mapped_column(String(40), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
