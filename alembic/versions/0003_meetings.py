"""meetings: agenda, slots, availability, requests, meetings

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa

import server.db
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agenda_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_agenda_sessions_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_sessions")),
    )
    with op.batch_alter_table("agenda_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_sessions_fair_id"), ["fair_id"], unique=False)

    op.create_table(
        "agenda_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("break_minutes", sa.Integer(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("request_expiry_hours", sa.Integer(), nullable=False),
        sa.Column("max_meetings", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_agenda_settings_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_settings")),
        sa.UniqueConstraint("fair_id", name=op.f("uq_agenda_settings_fair_id")),
    )
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("ends_at", server.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["fairs.id"], name=op.f("fk_slots_fair_id_fairs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["agenda_sessions.id"],
            name=op.f("fk_slots_session_id_agenda_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
        sa.UniqueConstraint("fair_id", "starts_at", name=op.f("uq_slots_fair_id_starts_at")),
    )
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slots_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slots_session_id"), ["session_id"], unique=False)

    op.create_table(
        "meeting_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("sender_firm_id", sa.Integer(), nullable=True),
        sa.Column("recipient_firm_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "cancelled",
                "expired",
                name="request_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("open_pair", sa.String(length=60), nullable=True),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("answered_at", server.db.UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["participants.id"],
            name=op.f("fk_meeting_requests_closed_by_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_meeting_requests_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_firm_id"],
            ["firms.id"],
            name=op.f("fk_meeting_requests_recipient_firm_id_firms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["participants.id"],
            name=op.f("fk_meeting_requests_recipient_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_firm_id"],
            ["firms.id"],
            name=op.f("fk_meeting_requests_sender_firm_id_firms"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["participants.id"],
            name=op.f("fk_meeting_requests_sender_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_requests")),
        sa.UniqueConstraint(
            "fair_id", "open_pair", name=op.f("uq_meeting_requests_fair_id_open_pair")
        ),
    )
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_requests_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_recipient_firm_id"), ["recipient_firm_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_sender_firm_id"), ["sender_firm_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_requests_sender_id"), ["sender_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_requests_status"), ["status"], unique=False)

    op.create_table(
        "unavailable_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_unavailable_slots_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_unavailable_slots_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_unavailable_slots_slot_id_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unavailable_slots")),
        sa.UniqueConstraint(
            "participant_id", "slot_id", name=op.f("uq_unavailable_slots_participant_id_slot_id")
        ),
    )
    with op.batch_alter_table("unavailable_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unavailable_slots_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unavailable_slots_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unavailable_slots_slot_id"), ["slot_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("active_slot_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "live",
                "held",
                "no_show",
                "cancelled",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum(
                "onsite",
                "video",
                name="meeting_mode",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("table_number", sa.Integer(), nullable=True),
        sa.Column("video_room", sa.String(length=40), nullable=True),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", server.db.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", server.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["active_slot_id"], ["slots.id"], name=op.f("fk_meetings_active_slot_id_slots")
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["fairs.id"], name=op.f("fk_meetings_fair_id_fairs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["meeting_requests.id"],
            name=op.f("fk_meetings_request_id_meeting_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name=op.f("fk_meetings_slot_id_slots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint(
            "active_slot_id", "table_number", name=op.f("uq_meetings_active_slot_id_table_number")
        ),
        sa.UniqueConstraint("request_id", name=op.f("uq_meetings_request_id")),
        sa.UniqueConstraint("video_room", name=op.f("uq_meetings_video_room")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meetings_status"), ["status"], unique=False)

    op.create_table(
        "meeting_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("active_slot_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["active_slot_id"], ["slots.id"], name=op.f("fk_meeting_attendees_active_slot_id_slots")
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"],
            ["fairs.id"],
            name=op.f("fk_meeting_attendees_fair_id_fairs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"],
            ["firms.id"],
            name=op.f("fk_meeting_attendees_firm_id_firms"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendees_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_meeting_attendees_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_meeting_attendees_slot_id_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendees")),
        sa.UniqueConstraint(
            "meeting_id",
            "participant_id",
            name=op.f("uq_meeting_attendees_meeting_id_participant_id"),
        ),
        sa.UniqueConstraint(
            "participant_id",
            "active_slot_id",
            name=op.f("uq_meeting_attendees_participant_id_active_slot_id"),
        ),
    )
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attendees_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_attendees_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_attendees_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_participant_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_fair_id"))

    op.drop_table("meeting_attendees")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_status"))
        batch_op.drop_index(batch_op.f("ix_meetings_slot_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_fair_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("unavailable_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unavailable_slots_slot_id"))
        batch_op.drop_index(batch_op.f("ix_unavailable_slots_participant_id"))
        batch_op.drop_index(batch_op.f("ix_unavailable_slots_fair_id"))

    op.drop_table("unavailable_slots")
    with op.batch_alter_table("meeting_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_requests_status"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_sender_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_sender_firm_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_recipient_firm_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_fair_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_requests_expires_at"))

    op.drop_table("meeting_requests")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slots_session_id"))
        batch_op.drop_index(batch_op.f("ix_slots_fair_id"))

    op.drop_table("slots")
    op.drop_table("agenda_settings")
    with op.batch_alter_table("agenda_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_sessions_fair_id"))

    op.drop_table("agenda_sessions")
