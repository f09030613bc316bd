"""booth calls: a visitor's talk-now call to a booth's online staff

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa

import server.db
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RINGING = sa.text("status = 'ringing'")


def upgrade() -> None:
    op.create_table(
        "booth_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ringing",
                "accepted",
                "declined",
                "missed",
                "cancelled",
                name="call_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.Column("ring_until", server.db.UTCDateTime(), nullable=False),
        sa.Column("ended_at", server.db.UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("room", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["participants.id"],
            name=op.f("fk_booth_calls_answered_by_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booth_id"],
            ["booths.id"],
            name=op.f("fk_booth_calls_booth_id_booths"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["fairs.id"], name=op.f("fk_booth_calls_fair_id_fairs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["participants.id"],
            name=op.f("fk_booth_calls_visitor_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booth_calls")),
    )
    with op.batch_alter_table("booth_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booth_calls_fair_id"), ["fair_id"], unique=False)
        batch_op.create_index(
            "ix_booth_calls_booth_id_created_at", ["booth_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_booth_calls_ringing_visitor",
            ["visitor_id"],
            unique=True,
            sqlite_where=RINGING,
            postgresql_where=RINGING,
        )

    op.create_table(
        "booth_call_rings",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("declined_at", server.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["booth_calls.id"],
            name=op.f("fk_booth_call_rings_call_id_booth_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_booth_call_rings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", "user_id", name=op.f("pk_booth_call_rings")),
    )


def downgrade() -> None:
    op.drop_table("booth_call_rings")
    with op.batch_alter_table("booth_calls", schema=None) as batch_op:
        batch_op.drop_index("uq_booth_calls_ringing_visitor")
        batch_op.drop_index("ix_booth_calls_booth_id_created_at")
        batch_op.drop_index(batch_op.f("ix_booth_calls_fair_id"))
    op.drop_table("booth_calls")
