"""session tokens and review form tokens

Revision ID: 2fe0dfe2f21a
Revises: 9e4055550921
Create Date: 2026-12-01 20:10:57.594584

users.session_token is part of every session and remember cookie; existing accounts get a random
one each, so cookies issued before this revision (which carry no token) ask for one more sign-in.
blo_reviews.form_token makes a double-tapped review form save once.
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2fe0dfe2f21a'
down_revision = '9e4055550921'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('blo_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_blo_reviews_form_token'), ['form_token'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    conn = op.get_bind()
    ids = conn.execute(sa.select(users.c.id)).scalars().all()
    if ids:
        conn.execute(
            users.update().where(users.c.id == sa.bindparam('user_id')).values(session_token=sa.bindparam('token')),
            [{'user_id': user_id, 'token': secrets.token_urlsafe(24)} for user_id in ids],
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')

    with op.batch_alter_table('blo_reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_blo_reviews_form_token'), type_='unique')
        batch_op.drop_column('form_token')
