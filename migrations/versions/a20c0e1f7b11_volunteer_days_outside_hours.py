"""volunteer days: a check-in outside the offered hours is marked

Revision ID: a20c0e1f7b11
Revises: e8b4f2a6c1d3
Create Date: 2026-12-07 20:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a20c0e1f7b11'
down_revision = 'e8b4f2a6c1d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volunteer_days', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('check_in_outside_hours', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('volunteer_days', schema=None) as batch_op:
        batch_op.drop_column('check_in_outside_hours')
