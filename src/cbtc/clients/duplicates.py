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

from cbtc.clients.models import Client, SexAtBirth
from cbtc.clients.uic import UicResult, get_scheme, uic_similarity
from cbtc.consent.disclosure import access_for_many, disclosure_log_listing, visible_clients_q
from cbtc.consent.models import DisclosureChannel

# Enough to decide; a page of fifty near-identical codes helps nobody and costs a scan.
_MAX_FETCHED = 200
MAX_SHOWN = 10


@dataclass(frozen=True)
class Candidate:
    client: Client
    score: int  # 0-100
    exact: bool


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
    *, actor: Any, uic: UicResult, birth_year: int | None, sex_at_birth: str, exclude_id: Any = None
) -> DuplicateReport:
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
    candidates = [
        Candidate(client=client, score=score, exact=exact)
        for score, exact, client in scored
        if client.pk in visible_ids
    ]
    known_elsewhere = any(client.pk not in visible_ids for _, _, client in scored)
    shown = candidates[:MAX_SHOWN]
    _log_shared_candidates(actor, shown)
    return DuplicateReport(candidates=shown, known_elsewhere=known_elsewhere)


def _log_shared_candidates(actor: Any, candidates: list[Candidate]) -> None:
    # A candidate another organisation shares with the actor's shows its code: a disclosure of demographics,
    # which belongs in that client's accounting like any other listing.
    clients = [candidate.client for candidate in candidates]
    decisions = access_for_many(actor=actor, clients=clients)
    shared = [
        (client, access, frozenset({"demographics"}))
        for client in clients
        if (access := decisions[client.pk]) is not None and not access.owner
    ]
    disclosure_log_listing(actor=actor, shown=shared, channel=DisclosureChannel.LIST)
