"""volunteer days: the arrival time kept beside the tap's time of check-in, check-out and work log

Revision ID: a5c2e7d91b40
Revises: 937a2d2b74aa
Create Date: 2026-12-07 21:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a5c2e7d91b40'
down_revision = '937a2d2b74aa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volunteer_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in_received_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('check_out_received_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('work_logged_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('work_received_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('volunteer_days', schema=None) as batch_op:
        batch_op.drop_column('work_received_at')
        batch_op.drop_column('work_logged_at')
        batch_op.drop_column('check_out_received_at')
        batch_op.drop_column('check_in_received_at')
