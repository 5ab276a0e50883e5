from app.models.audit import AuditEntry
from app.models.campaign import Campaign
from app.models.places import Constituency, District, Part
from app.models.users import Role, User

__all__ = ["AuditEntry", "Campaign", "Constituency", "District", "Part", "Role", "User"]
