"""video rooms live: room opening times, ad-hoc rooms (talk now), room visits, no-shows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa

import server.db
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "call", name="video_room_kind", native_enum=False, create_constraint=True, length=20
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("ended_at", server.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["fairs.id"], name=op.f("fk_video_rooms_fair_id_fairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_rooms")),
        sa.UniqueConstraint("token", name=op.f("uq_video_rooms_token")),
    )
    with op.batch_alter_table("video_rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_video_rooms_fair_id"), ["fair_id"], unique=False)

    op.create_table(
        "video_room_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_video_room_members_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["video_rooms.id"],
            name=op.f("fk_video_room_members_room_id_video_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_room_members")),
        sa.UniqueConstraint(
            "room_id", "participant_id", name=op.f("uq_video_room_members_room_id_participant_id")
        ),
    )
    with op.batch_alter_table("video_room_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_video_room_members_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_video_room_members_room_id"), ["room_id"], unique=False
        )

    op.create_table(
        "room_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=40), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("video_room_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "attendee",
                "moderator",
                "member",
                name="room_visit_role",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("peer", sa.String(length=40), nullable=False),
        sa.Column("joined_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("left_at", server.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["fairs.id"], name=op.f("fk_room_visits_fair_id_fairs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_room_visits_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_room_visits_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_room_visits_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_room_id"],
            ["video_rooms.id"],
            name=op.f("fk_room_visits_video_room_id_video_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_visits")),
    )
    with op.batch_alter_table("room_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_visits_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_room_visits_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_room_visits_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_room_visits_room"), ["room"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_room_visits_video_room_id"), ["video_room_id"], unique=False
        )

    with op.batch_alter_table("agenda_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("room_opens_minutes", sa.Integer(), server_default="5", nullable=False)
        )
        batch_op.add_column(
            sa.Column("room_grace_minutes", sa.Integer(), server_default="5", nullable=False)
        )
        batch_op.add_column(
            sa.Column("held_minutes", sa.Integer(), server_default="3", nullable=False)
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("room_ended_at", server.db.UTCDateTime(), nullable=True))

    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("no_show", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_column("no_show")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("room_ended_at")

    with op.batch_alter_table("agenda_settings", schema=None) as batch_op:
        batch_op.drop_column("held_minutes")
        batch_op.drop_column("room_grace_minutes")
        batch_op.drop_column("room_opens_minutes")

    with op.batch_alter_table("room_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_visits_video_room_id"))
        batch_op.drop_index(batch_op.f("ix_room_visits_room"))
        batch_op.drop_index(batch_op.f("ix_room_visits_participant_id"))
        batch_op.drop_index(batch_op.f("ix_room_visits_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_room_visits_fair_id"))

    op.drop_table("room_visits")
    with op.batch_alter_table("video_room_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_room_members_room_id"))
        batch_op.drop_index(batch_op.f("ix_video_room_members_participant_id"))

    op.drop_table("video_room_members")
    with op.batch_alter_table("video_rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_video_rooms_fair_id"))

    op.drop_table("video_rooms")
