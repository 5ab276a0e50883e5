"""difficulties: a covering index for the open and overdue counts per place

Revision ID: d7a3c5e9f214
Revises: c4e1a7d2b9f0
Create Date: 2026-12-02 21:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7a3c5e9f214'
down_revision = 'c4e1a7d2b9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('difficulties', schema=None) as batch_op:
        batch_op.create_index(
            'ix_difficulties_open_places',
            ['status', 'district_id', 'constituency_id', 'part_id', 'overdue_since'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('difficulties', schema=None) as batch_op:
        batch_op.drop_index('ix_difficulties_open_places')
