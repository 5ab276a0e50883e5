from app.models.audit import AuditEntry
from app.models.campaign import Campaign
from app.models.jobs import Job, JobStatus
from app.models.places import Constituency, District, Part
from app.models.progress import (
    ASD_FIGURES,
    FIGURES,
    MAPPING_FIGURES,
    BloReview,
    ConstituencyDay,
    DailyReport,
    Difficulty,
    ImportJob,
    ReviewKind,
    RollupFrontier,
)
from app.models.users import Role, User

__all__ = [
    "ASD_FIGURES",
    "FIGURES",
    "MAPPING_FIGURES",
    "AuditEntry",
    "BloReview",
    "Campaign",
    "Constituency",
    "ConstituencyDay",
    "DailyReport",
    "Difficulty",
    "District",
    "ImportJob",
    "Job",
    "JobStatus",
    "Part",
    "ReviewKind",
    "RollupFrontier",
    "Role",
    "User",
]
