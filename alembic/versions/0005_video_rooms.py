"""video rooms: a limit per slot, numbered rooms

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("video_rooms", sa.Integer(), nullable=True))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("video_number", sa.Integer(), nullable=True))

    # number the video meetings already booked, 1, 2, ... within each slot
    meetings = sa.table(
        "meetings",
        sa.column("id", sa.Integer),
        sa.column("active_slot_id", sa.Integer),
        sa.column("mode", sa.String),
        sa.column("video_number", sa.Integer),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(meetings.c.id, meetings.c.active_slot_id)
        .where(meetings.c.mode == "video", meetings.c.active_slot_id.is_not(None))
        .order_by(meetings.c.active_slot_id, meetings.c.id)
    ).all()
    numbers: dict[int, int] = {}
    for meeting_id, slot_id in rows:
        numbers[slot_id] = numbers.get(slot_id, 0) + 1
        connection.execute(
            meetings.update()
            .where(meetings.c.id == meeting_id)
            .values(video_number=numbers[slot_id])
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_meetings_active_slot_id_video_number"),
            ["active_slot_id", "video_number"],
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_meetings_active_slot_id_video_number"), type_="unique"
        )
        batch_op.drop_column("video_number")

    with op.batch_alter_table("agenda_settings", schema=None) as batch_op:
        batch_op.drop_column("video_rooms")
