"""reviews' difficulty values become difficulties; an index of duplicates

Each review that noted a difficulty, oldest first, opens a difficulty of its part (source
"review", raised by the reviewer when the review was recorded, routed to the category's first level
as the app routes a new one) or is linked to the part's active difficulty of that category, as
recording a review does now. Each new difficulty gets its 'created' timeline event, each link a
'linked' one. Their next check is the migration time, so the escalation job computes their clocks
(notices, breaches and climbs) on its next run.

The index on difficulties.duplicate_of_id finds a difficulty's repeats, and keeps deleting
difficulties from scanning the whole table for each one (the foreign key's check).

Plain SQL: this migration imports nothing from the app, whose code may have moved on.

Revision ID: 5b7d2c9e4a10
Revises: 1961a5cb93a4
Create Date: 2026-12-02 09:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '5b7d2c9e4a10'
down_revision = '1961a5cb93a4'
branch_labels = None
depends_on = None

LEVELS = ['supervisor', 'ero', 'collector', 'state']
# The defaults of app/difficulties/sla.py at the time of this migration.
ERO_FIRST = {'health', 'safety'}
ACTIVE = ['open', 'acknowledged', 'in_progress', 'waiting_blo', 'waiting_helpdesk']
DESCRIPTION_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 1000

reviews = sa.table(
    'blo_reviews',
    sa.column('id', sa.Integer),
    sa.column('part_id', sa.Integer),
    sa.column('reviewer_id', sa.Integer),
    sa.column('outcome', sa.Text),
    sa.column('difficulty', sa.String),
    sa.column('difficulty_id', sa.Integer),
    sa.column('review_date', sa.Date),
    sa.column('created_at', sa.DateTime),
)
parts = sa.table(
    'parts',
    sa.column('id', sa.Integer),
    sa.column('constituency_id', sa.Integer),
    sa.column('district_id', sa.Integer),
    sa.column('blo_id', sa.Integer),
    sa.column('supervisor_id', sa.Integer),
)
users = sa.table(
    'users',
    sa.column('id', sa.Integer),
    sa.column('role', sa.String),
    sa.column('active', sa.Boolean),
    sa.column('constituency_id', sa.Integer),
    sa.column('district_id', sa.Integer),
)
routes = sa.table(
    'difficulty_routes',
    sa.column('district_id', sa.Integer),
    sa.column('category', sa.String),
    sa.column('first_level', sa.String),
)
difficulties = sa.table(
    'difficulties',
    sa.column('id', sa.Integer),
    sa.column('part_id', sa.Integer),
    sa.column('constituency_id', sa.Integer),
    sa.column('district_id', sa.Integer),
    sa.column('blo_id', sa.Integer),
    sa.column('reporter_id', sa.Integer),
    sa.column('source', sa.String),
    sa.column('category', sa.String),
    sa.column('severity', sa.String),
    sa.column('description', sa.Text),
    sa.column('status', sa.String),
    sa.column('level', sa.String),
    sa.column('owner_id', sa.Integer),
    sa.column('opened_at', sa.DateTime),
    sa.column('level_started_at', sa.DateTime),
    sa.column('next_check_at', sa.DateTime),
    sa.column('version', sa.Integer),
)
events = sa.table(
    'difficulty_events',
    sa.column('difficulty_id', sa.Integer),
    sa.column('part_id', sa.Integer),
    sa.column('constituency_id', sa.Integer),
    sa.column('district_id', sa.Integer),
    sa.column('at', sa.DateTime),
    sa.column('actor_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('status', sa.String),
    sa.column('level', sa.String),
    sa.column('owner_id', sa.Integer),
    sa.column('note', sa.Text),
)


def _holders(conn, level, part):
    if level == 'supervisor':
        return [part.supervisor_id] if part.supervisor_id else []
    query = sa.select(users.c.id).where(users.c.active.is_(True), users.c.role == level)
    if level == 'ero':
        query = query.where(users.c.constituency_id == part.constituency_id)
    elif level == 'collector':
        query = query.where(users.c.district_id == part.district_id)
    return list(conn.scalars(query.order_by(users.c.id)))


def _route(conn, first_level, part):
    """The first level from `first_level` up with somebody in it, and its one holder (None when
    several share it)."""
    for level in LEVELS[LEVELS.index(first_level):]:
        holders = _holders(conn, level, part)
        if holders:
            return level, holders[0] if len(holders) == 1 else None
    return 'state', None


def upgrade():
    op.create_index(
        op.f('ix_difficulties_duplicate_of_id'), 'difficulties', ['duplicate_of_id'], unique=False
    )
    conn = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    first_levels = {
        (row.district_id, row.category): row.first_level for row in conn.execute(sa.select(routes))
    }
    pending = conn.execute(
        sa.select(reviews)
        .where(reviews.c.difficulty.is_not(None), reviews.c.difficulty_id.is_(None))
        .order_by(reviews.c.review_date, reviews.c.id)
    ).all()
    # (part, category) → its active difficulty, from before the migration or opened by it
    active = {}
    for row in conn.execute(
        sa.select(difficulties.c.id, difficulties.c.part_id, difficulties.c.category)
        .where(difficulties.c.status.in_(ACTIVE))
        .order_by(difficulties.c.id)
    ):
        active[(row.part_id, row.category)] = row.id
    part_cache = {}
    for review in pending:
        part = part_cache.get(review.part_id)
        if part is None:
            part = conn.execute(sa.select(parts).where(parts.c.id == review.part_id)).one()
            part_cache[review.part_id] = part
        outcome = (review.outcome or '').strip()
        at = review.created_at or now
        place = dict(part_id=part.id, constituency_id=part.constituency_id, district_id=part.district_id)
        difficulty_id = active.get((part.id, review.difficulty))
        if difficulty_id is None:
            first = first_levels.get(
                (part.district_id, review.difficulty),
                'ero' if review.difficulty in ERO_FIRST else 'supervisor',
            )
            level, owner_id = _route(conn, first, part)
            description = outcome[:DESCRIPTION_MAX_LENGTH]
            difficulty_id = conn.execute(
                sa.insert(difficulties)
                .values(
                    **place,
                    blo_id=part.blo_id,
                    reporter_id=review.reviewer_id,
                    source='review',
                    category=review.difficulty,
                    severity='high',
                    description=description,
                    status='open',
                    level=level,
                    owner_id=owner_id,
                    opened_at=at,
                    level_started_at=at,
                    next_check_at=now,
                    version=1,
                )
                .returning(difficulties.c.id)
            ).scalar_one()
            active[(part.id, review.difficulty)] = difficulty_id
            kind, note, status = 'created', description, ('open', level, owner_id)
        else:
            kind, note = 'linked', outcome[:NOTE_MAX_LENGTH]
            current = conn.execute(
                sa.select(difficulties.c.status, difficulties.c.level, difficulties.c.owner_id).where(
                    difficulties.c.id == difficulty_id
                )
            ).one()
            status = tuple(current)
        conn.execute(
            sa.insert(events).values(
                difficulty_id=difficulty_id,
                **place,
                at=at,
                actor_id=review.reviewer_id,
                kind=kind,
                status=status[0],
                level=status[1],
                owner_id=status[2],
                note=note,
            )
        )
        conn.execute(sa.update(reviews).where(reviews.c.id == review.id).values(difficulty_id=difficulty_id))


def downgrade():
    """The difficulties stay: by now they carry their own history (notices, actions, climbs), and
    the reviews keep their link to them."""
    op.drop_index(op.f('ix_difficulties_duplicate_of_id'), table_name='difficulties')
