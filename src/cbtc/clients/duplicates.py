"""Duplicate candidates at registration: exact UIC and fuzzy matches, within what the user may see.

Candidates come from indexed blocking keys (same scheme and exact code, or one of the two blocks the scheme
defines), narrowed by birth year ± 1 and sex, then scored part by part with rapidfuzz. A candidate the user
may not see is reported only as "possibly known at another service": not where, not who, not how close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from cbtc.audit.services import audit_record
from cbtc.clients.identity import decrypt_identity
from cbtc.clients.models import Client, InformationCategory, SexAtBirth
from cbtc.clients.uic import UicResult, get_scheme, uic_similarity
from cbtc.consent.disclosure import RecordAccess, access_for_many, disclosure_log_listing, visible_clients_q
from cbtc.consent.models import DisclosureChannel

# Enough to decide; a page of fifty near-identical codes helps nobody and costs a scan.
_MAX_FETCHED = 200
MAX_SHOWN = 10


@dataclass(frozen=True)
class Candidate:
    client: Client
    score: int  # 0-100
    exact: bool
    owner: bool = True  # False: another organisation shares this record with the actor's
    display_name: str = ""  # empty unless the actor may see identifying details


@dataclass(frozen=True)
class DuplicateReport:
    candidates: list[Candidate]  # the ones the user may see, best first
    known_elsewhere: bool  # a likely match exists that the user may not see

    @property
    def any(self) -> bool:
        return bool(self.candidates) or self.known_elsewhere


def _blocking_filter(uic: UicResult) -> Q:
    scheme = get_scheme(uic.scheme)
    block_a, block_b = scheme.block_keys(uic.code)
    same_scheme = Q(uic_scheme=uic.scheme)
    blocks = Q(uic=uic.code)
    if block_a:
        blocks |= Q(uic_block_a=block_a)
    if block_b:
        blocks |= Q(uic_block_b=block_b)
    return same_scheme & blocks


def _demographic_filter(birth_year: int | None, sex_at_birth: str) -> Q:
    # Unknown values never rule a candidate out: a record without a birth year may still be this person.
    q = Q()
    if birth_year is not None:
        q &= Q(birth_year__isnull=True) | Q(birth_year__gte=birth_year - 1, birth_year__lte=birth_year + 1)
    if sex_at_birth and sex_at_birth != SexAtBirth.NOT_STATED:
        q &= Q(sex_at_birth__in=[sex_at_birth, SexAtBirth.NOT_STATED])
    return q


def find_duplicates(
    *,
    actor: Any,
    uic: UicResult,
    birth_year: int | None,
    sex_at_birth: str,
    exclude_id: Any = None,
    organisation_id: Any = None,
) -> DuplicateReport:
    """The check, audited (a search of the whole registry, even when it shows nothing)."""
    report = _find(actor=actor, uic=uic, birth_year=birth_year, sex_at_birth=sex_at_birth, exclude_id=exclude_id)
    audit_record(
        actor=actor,
        action="client.duplicate_check",
        organisation_id=organisation_id,
        details={"shown": len(report.candidates), "known_elsewhere": report.known_elsewhere},
    )
    return report


def _find(*, actor: Any, uic: UicResult, birth_year: int | None, sex_at_birth: str, exclude_id: Any) -> DuplicateReport:
    threshold = settings.DUPLICATE_THRESHOLD
    scheme = get_scheme(uic.scheme)
    rows = (
        Client.objects.filter(_blocking_filter(uic))
        .filter(_demographic_filter(birth_year, sex_at_birth))
        .filter(merged_into__isnull=True)
        .exclude(pk=exclude_id)
        .only("id", "organisation_id", "uic")
        .order_by("-registered_at")[:_MAX_FETCHED]
    )
    scored: list[tuple[int, bool, Client]] = []
    for client in rows:
        exact = client.uic == uic.code
        score = 100 if exact else round(uic_similarity(scheme, uic.code, client.uic) * 100)
        if exact or score >= threshold:
            scored.append((score, exact, client))
    if not scored:
        return DuplicateReport(candidates=[], known_elsewhere=False)
    visible_ids = set(
        Client.objects.filter(pk__in=[client.pk for _, _, client in scored])
        .filter(visible_clients_q(actor, category="demographics"))
        .values_list("pk", flat=True)
    )
    scored.sort(key=lambda item: (-item[0], str(item[2].pk)))
    visible = [(score, exact, client) for score, exact, client in scored if client.pk in visible_ids][:MAX_SHOWN]
    known_elsewhere = any(client.pk not in visible_ids for _, _, client in scored)
    return DuplicateReport(candidates=_shown_candidates(actor, visible), known_elsewhere=known_elsewhere)


def _shown_candidates(actor: Any, visible: list[tuple[int, bool, Client]]) -> list[Candidate]:
    """Candidates as the actor may see them. A record another organisation shares shows its code (and its
    name, when the consent covers names): a listing disclosure, written to that client's accounting."""
    full = Client.objects.select_related("organisation").in_bulk([client.pk for _, _, client in visible])
    clients = [full[client.pk] for _, _, client in visible]
    decisions = access_for_many(actor=actor, clients=clients)
    candidates: list[Candidate] = []
    listed: list[tuple[Client, RecordAccess, frozenset[str]]] = []
    for (score, exact, _), client in zip(visible, clients, strict=True):
        access = decisions[client.pk]
        if access is None:  # a consent ended a moment ago
            continue
        shows_name = access.sees(InformationCategory.IDENTITY)
        name = decrypt_identity(client.identity_ciphertext).display_name if shows_name else ""
        candidates.append(Candidate(client=client, score=score, exact=exact, owner=access.owner, display_name=name))
        if not access.owner:
            shown = {InformationCategory.DEMOGRAPHICS, *([InformationCategory.IDENTITY] if shows_name else [])}
            listed.append((client, access, frozenset(shown)))
    disclosure_log_listing(actor=actor, shown=listed, channel=DisclosureChannel.LIST)
    return candidates
