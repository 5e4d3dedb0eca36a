"""Models of the network app: the service directory and the staff who work in it."""

from cbtc.network.models.directory import (
    AdminArea,
    AdminAreaLevel,
    CostType,
    DeliveryMode,
    Gender,
    Language,
    OpeningHours,
    Organisation,
    OrganisationType,
    Population,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
    Weekday,
)
from cbtc.network.models.staff import ApiToken, Membership, StaffSession, User

__all__ = [
    "AdminArea",
    "AdminAreaLevel",
    "ApiToken",
    "CostType",
    "DeliveryMode",
    "Gender",
    "Language",
    "Membership",
    "OpeningHours",
    "Organisation",
    "OrganisationType",
    "Population",
    "PyramidLevel",
    "Service",
    "ServiceType",
    "Site",
    "StaffSession",
    "User",
    "Weekday",
]
