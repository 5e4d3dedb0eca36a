"""Staff roles and what each may do: the one place where access is declared.

Routes name a Permission (see cbtc.web.policy); a user holds a permission when one of their active
memberships has a role that grants it. No role or permission serves law enforcement. Police, courts and
prisons appear in cbtc only as referral sources and as services a client chooses
(tests/network/test_roles.py asserts this).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class Permission(StrEnum):
    # Everyone on the network
    DIRECTORY_VIEW = "directory.view"
    OWN_TOKENS_MANAGE = "tokens.manage_own"
    # Client-level work (the features arrive with later issues; the grants are decided here)
    CLIENT_REGISTER = "client.register"
    CLIENT_VIEW = "client.view"
    CLIENT_MERGE = "client.merge"
    CONSENT_MANAGE = "consent.manage"
    SCREENING_PERFORM = "screening.perform"
    CARE_RECORD = "care.record"
    CLINICAL_NOTES_READ = "care.notes_read"
    REFERRAL_MANAGE = "referral.manage"
    OAT_PRESCRIBE = "oat.prescribe"
    OAT_DISPENSE = "oat.dispense"
    CASE_MANAGE = "case.manage"
    # Running a service
    STAFF_MANAGE = "staff.manage"
    DIRECTORY_EDIT = "directory.edit"
    # Network level: de-identified aggregates only
    AGGREGATES_VIEW = "aggregates.view"
    QUALITY_ASSESS = "quality.assess"
    TRAINING_MANAGE = "training.manage"
    # System
    AUDIT_REVIEW = "audit.review"
    NETWORK_ADMINISTER = "network.administer"


PERMISSION_DESCRIPTIONS: dict[Permission, str] = {
    Permission.DIRECTORY_VIEW: "Find services in the network directory",
    Permission.OWN_TOKENS_MANAGE: "Create and revoke your own API tokens",
    Permission.CLIENT_REGISTER: "Register clients with a pseudonymous code",
    Permission.CLIENT_VIEW: "See the records of your organisation's clients, and those shared with it by consent",
    Permission.CLIENT_MERGE: "Merge duplicate client records of your organisation, and undo merges",
    Permission.CONSENT_MANAGE: "Record clients' consents and their withdrawal",
    Permission.SCREENING_PERFORM: "Screen clients and give brief interventions",
    Permission.CARE_RECORD: "Record contacts, encounters and care plans",
    Permission.CLINICAL_NOTES_READ: "Read the clinical notes of sessions (clinical roles only)",
    Permission.REFERRAL_MANAGE: "Refer clients and answer referrals",
    Permission.OAT_PRESCRIBE: "Prescribe opioid agonist treatment",
    Permission.OAT_DISPENSE: "Dispense opioid agonist treatment",
    Permission.CASE_MANAGE: "Coordinate a client's care across services",
    Permission.STAFF_MANAGE: "Manage the staff of your organisation",
    Permission.DIRECTORY_EDIT: "Keep your organisation's services up to date",
    Permission.AGGREGATES_VIEW: "See de-identified figures for the network",
    Permission.QUALITY_ASSESS: "Assess services against the standards",
    Permission.TRAINING_MANAGE: "Plan and record staff training",
    Permission.AUDIT_REVIEW: "Review and verify the audit trail",
    Permission.NETWORK_ADMINISTER: "Administer organisations and staff across the network",
}


class Role(models.TextChoices):
    OUTREACH_WORKER = "outreach_worker", "Outreach / peer worker"
    CLINICIAN = "clinician", "Counsellor / clinician"
    PRESCRIBER = "prescriber", "Prescriber"
    DISPENSER = "dispenser", "Dispensing staff"
    CASE_MANAGER = "case_manager", "Case manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    QUALITY_ASSESSOR = "quality_assessor", "Quality assessor / trainer"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


@dataclass(frozen=True)
class RoleSpec:
    description: str
    permissions: frozenset[Permission]
    # Roles that can reach identifiable client data (or grant it to others) must use a second factor.
    requires_mfa: bool
    # Network-wide roles are not tied to one organisation's records.
    network_wide: bool = False


_EVERYONE = frozenset({Permission.DIRECTORY_VIEW, Permission.OWN_TOKENS_MANAGE})

ROLE_SPECS: dict[Role, RoleSpec] = {
    Role.OUTREACH_WORKER: RoleSpec(
        description="Meets people where they are, offers harm reduction and links them to services.",
        permissions=_EVERYONE
        | {
            Permission.CLIENT_REGISTER,
            Permission.CLIENT_VIEW,
            Permission.CONSENT_MANAGE,
            Permission.CARE_RECORD,
            Permission.REFERRAL_MANAGE,
        },
        requires_mfa=True,
    ),
    Role.CLINICIAN: RoleSpec(
        description="Screens, assesses and provides psychosocial care.",
        permissions=_EVERYONE
        | {
            Permission.CLIENT_REGISTER,
            Permission.CLIENT_VIEW,
            Permission.CONSENT_MANAGE,
            Permission.SCREENING_PERFORM,
            Permission.CARE_RECORD,
            Permission.CLINICAL_NOTES_READ,
            Permission.REFERRAL_MANAGE,
        },
        requires_mfa=True,
    ),
    Role.PRESCRIBER: RoleSpec(
        description="Assesses for and prescribes opioid agonist treatment.",
        permissions=_EVERYONE
        | {
            Permission.CLIENT_VIEW,
            Permission.CONSENT_MANAGE,
            Permission.SCREENING_PERFORM,
            Permission.CARE_RECORD,
            Permission.CLINICAL_NOTES_READ,
            Permission.REFERRAL_MANAGE,
            Permission.OAT_PRESCRIBE,
        },
        requires_mfa=True,
    ),
    Role.DISPENSER: RoleSpec(
        description="Dispenses methadone and buprenorphine doses as prescribed.",
        permissions=_EVERYONE | {Permission.CLIENT_VIEW, Permission.OAT_DISPENSE},
        requires_mfa=True,
    ),
    Role.CASE_MANAGER: RoleSpec(
        description="Coordinates each client's care plan and referrals across services.",
        permissions=_EVERYONE
        | {
            Permission.CLIENT_REGISTER,
            Permission.CLIENT_VIEW,
            Permission.CLIENT_MERGE,
            Permission.CONSENT_MANAGE,
            Permission.CARE_RECORD,
            Permission.CLINICAL_NOTES_READ,
            Permission.REFERRAL_MANAGE,
            Permission.CASE_MANAGE,
        },
        requires_mfa=True,
    ),
    Role.SERVICE_MANAGER: RoleSpec(
        description="Runs a service: its staff, its directory entries and its capacity.",
        permissions=_EVERYONE
        | {
            Permission.CLIENT_VIEW,
            Permission.CLIENT_MERGE,
            Permission.CONSENT_MANAGE,
            Permission.STAFF_MANAGE,
            Permission.DIRECTORY_EDIT,
        },
        requires_mfa=True,
    ),
    Role.PROGRAMME_MANAGER: RoleSpec(
        description="Plans and monitors the network from de-identified figures only; never sees client records.",
        permissions=_EVERYONE | {Permission.AGGREGATES_VIEW},
        requires_mfa=False,
        network_wide=True,
    ),
    Role.QUALITY_ASSESSOR: RoleSpec(
        description="Assesses services against the standards and organises training.",
        permissions=_EVERYONE | {Permission.QUALITY_ASSESS, Permission.TRAINING_MANAGE, Permission.AGGREGATES_VIEW},
        requires_mfa=False,
        network_wide=True,
    ),
    Role.SYSTEM_ADMINISTRATOR: RoleSpec(
        description="Keeps the system running: organisations, staff accounts and the audit trail.",
        permissions=_EVERYONE
        | {
            Permission.STAFF_MANAGE,
            Permission.DIRECTORY_EDIT,
            Permission.AUDIT_REVIEW,
            Permission.NETWORK_ADMINISTER,
        },
        requires_mfa=True,
        network_wide=True,
    ),
}

# Roles a service manager may hand out inside their own organisation. Network-wide roles are given by a
# system administrator only.
ROLES_GRANTABLE_BY_SERVICE_MANAGER: frozenset[Role] = frozenset(
    role for role, spec in ROLE_SPECS.items() if not spec.network_wide
)


def permissions_for_roles(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_SPECS[role].permissions
    return frozenset(granted)


def roles_require_mfa(roles: set[Role] | frozenset[Role]) -> bool:
    return any(ROLE_SPECS[role].requires_mfa for role in roles)
