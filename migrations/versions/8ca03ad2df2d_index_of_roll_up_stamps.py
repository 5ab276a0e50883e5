"""index of roll-up stamps: the newest one is the state table's cache version

Revision ID: 8ca03ad2df2d
Revises: b1bad69ba481
Create Date: 2026-12-01 20:27:34.065602

"""
from alembic import op


revision = '8ca03ad2df2d'
down_revision = 'b1bad69ba481'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_constituency_days_last_report_at', 'constituency_days', ['last_report_at'], unique=False)


def downgrade():
    op.drop_index('ix_constituency_days_last_report_at', table_name='constituency_days')
