"""The tables every feature shares: places, accounts, the campaign, the audit trail, jobs,
idempotency keys.

A feature's own tables live in its package (app/figures/models.py, app/reviews/models.py,
app/imports/models.py) and import these downward; create_app() imports every blueprint, and so
every model, before Alembic or the tests read db.metadata.
"""

from app.models.audit import AuditEntry
from app.models.campaign import Campaign
from app.models.idempotency import IdempotencyKey
from app.models.jobs import Job, JobStatus
from app.models.places import Constituency, District, Part
from app.models.users import Role, User

__all__ = [
    "AuditEntry",
    "Campaign",
    "Constituency",
    "District",
    "IdempotencyKey",
    "Job",
    "JobStatus",
    "Part",
    "Role",
    "User",
]
