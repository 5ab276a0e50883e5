"""users by role: the holders of a difficulty's level are found without reading every user

Revision ID: c3f1a2b4d5e6
Revises: b7e3d1f0a9c2
Create Date: 2026-12-08 01:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c3f1a2b4d5e6"
down_revision = "b7e3d1f0a9c2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_role"))
