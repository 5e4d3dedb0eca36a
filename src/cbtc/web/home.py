"""What each role can do from its home page: the actions that have a page, per permission."""

from __future__ import annotations

from dataclasses import dataclass

from cbtc.network.roles import Permission


@dataclass(frozen=True)
class HomeAction:
    permission: Permission
    url_name: str
    title: str
    summary: str
    nav_label: str | None = None  # shown in the top navigation too, under this short name


HOME_ACTIONS: tuple[HomeAction, ...] = (
    HomeAction(
        Permission.CLIENT_REGISTER,
        "clients:register",
        "Register a client",
        "Someone new? Make their code and note only what they are happy to share.",
    ),
    HomeAction(
        Permission.CLIENT_VIEW,
        "clients:list",
        "Clients",
        "Find a client by name or code, see their record, consents and timeline.",
        nav_label="Clients",
    ),
    HomeAction(
        Permission.CARE_RECORD,
        "care:contacts",
        "Outreach contacts",
        "Record who you met and what you gave out: a count of people, or a contact with a registered client.",
        nav_label="Outreach",
    ),
    HomeAction(
        Permission.CARE_RECORD,
        "care:worklists",
        "Worklists",
        "Your caseload, and the episodes that need something: a review, an outcome profile, a check-in.",
        nav_label="Worklists",
    ),
    HomeAction(
        Permission.REFERRAL_MANAGE,
        "referrals:box",
        "Referrals",
        "Referrals to your service waiting for an answer, and how the ones you sent are going.",
        nav_label="Referrals",
    ),
    HomeAction(
        Permission.DIRECTORY_VIEW,
        "network:directory",
        "Find a service",
        "Search the network by type of service, level of care and region, and see waiting times.",
        nav_label="Directory",
    ),
    HomeAction(
        Permission.AGGREGATES_VIEW,
        "care:incident_figures",
        "Incidents in the network",
        "Arrests, harassment, violence and rights violations recorded by services, by month: counts only.",
        nav_label="Incidents",
    ),
    HomeAction(
        Permission.STAFF_MANAGE,
        "network:staff_home",
        "Manage staff",
        "Add colleagues, give and remove roles, reset passwords, disable accounts.",
        nav_label="Staff",
    ),
    HomeAction(
        Permission.AUDIT_REVIEW,
        "web:audit",
        "Audit trail",
        "See recent events. Verify the whole chain with `cbtc audit verify` on the server.",
        nav_label="Audit",
    ),
)


def actions_for(permissions: frozenset[Permission]) -> list[HomeAction]:
    return [action for action in HOME_ACTIONS if action.permission in permissions]
