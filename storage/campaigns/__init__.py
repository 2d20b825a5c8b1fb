"""The campaign planner's tables, their DTOs and the repository the unit of work hands out."""

from storage.campaigns.repository import CampaignRepository

__all__ = ["CampaignRepository"]
