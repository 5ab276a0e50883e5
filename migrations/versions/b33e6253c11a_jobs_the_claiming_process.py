"""jobs: the process that claimed a job (host, pid, start), so a dead consumer is seen at once

Revision ID: b33e6253c11a
Revises: a20c0e1f7b11
Create Date: 2026-12-08 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b33e6253c11a'
down_revision = 'a20c0e1f7b11'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_host', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('worker_pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('worker_started', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('worker_started')
        batch_op.drop_column('worker_pid')
        batch_op.drop_column('worker_host')
