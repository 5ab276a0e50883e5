"""district working hours and holidays: the difficulties' clocks count only working time

Revision ID: b7e3d1f0a9c2
Revises: a5c2e7d91b40
Create Date: 2026-12-08 00:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e3d1f0a9c2"
down_revision = "a5c2e7d91b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "district_working_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("opens_minute", sa.Integer(), nullable=False),
        sa.Column("closes_minute", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "opens_minute >= 0 AND opens_minute < closes_minute",
            name=op.f("ck_district_working_hours_opens_before_closes"),
        ),
        sa.CheckConstraint(
            "closes_minute <= 1440", name=op.f("ck_district_working_hours_closes_by_midnight")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_district_working_hours_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_district_working_hours_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_working_hours")),
        sa.UniqueConstraint("district_id", name=op.f("uq_district_working_hours_district_id")),
    )
    op.create_table(
        "district_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_district_holidays_district_id_districts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_holidays")),
        sa.UniqueConstraint("district_id", "day", name="uq_district_holidays_district_day"),
    )
    with op.batch_alter_table("district_holidays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_district_holidays_district_id"), ["district_id"], unique=False)


def downgrade():
    with op.batch_alter_table("district_holidays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_holidays_district_id"))
    op.drop_table("district_holidays")
    op.drop_table("district_working_hours")
