"""inspection flags: a covering index for the open flags per district and AC

Revision ID: e8b4f2a6c1d3
Revises: d7a3c5e9f214
Create Date: 2026-12-03 06:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8b4f2a6c1d3'
down_revision = 'd7a3c5e9f214'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection_flags', schema=None) as batch_op:
        batch_op.create_index(
            'ix_inspection_flags_open_places',
            ['cleared_at', 'district_id', 'constituency_id', 'part_id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('inspection_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_flags_open_places')
