"""volunteer repeat registrations: a sign-up with a number already registered, for the approvers

Revision ID: 937a2d2b74aa
Revises: b33e6253c11a
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '937a2d2b74aa'
down_revision = 'b33e6253c11a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('volunteer_repeat_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('mobile', sa.String(length=15), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('typed_district_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('form_token', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_volunteer_repeat_registrations_district_id_districts')),
    sa.ForeignKeyConstraint(['typed_district_id'], ['districts.id'], name=op.f('fk_volunteer_repeat_registrations_typed_district_id_districts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_volunteer_repeat_registrations_user_id_users')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_volunteer_repeat_registrations_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_repeat_registrations')),
    sa.UniqueConstraint('form_token', name=op.f('uq_volunteer_repeat_registrations_form_token'))
    )
    with op.batch_alter_table('volunteer_repeat_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_repeat_registrations_district_at', ['district_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_repeat_registrations_volunteer_id'), ['volunteer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('volunteer_repeat_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_repeat_registrations_volunteer_id'))
        batch_op.drop_index('ix_volunteer_repeat_registrations_district_at')
    op.drop_table('volunteer_repeat_registrations')
