"""The registry through its services and selectors: anonymous registration, duplicates, merge and undo,
consents to share, revocation, the minor rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.clients.identity import Identity
from cbtc.clients.models import Client, ClientMerge, InformationCategory
from cbtc.clients.selectors import ClientQuery, client_get_for_actor, client_search_for_actor, client_timeline
from cbtc.clients.services import Demographics, PossibleDuplicates, client_merge, client_merge_undo, client_register
from cbtc.clients.uic import get_scheme, parse_uic
from cbtc.consent.models import ConsentKind, ConsentMethod, Disclosure, ExpiryEvent, Purpose
from cbtc.consent.selectors import disclosure_accounting
from cbtc.consent.services import (
    ConsentInput,
    consent_expiry_event_occurred,
    consent_record,
    consent_revoke,
    treatment_consent_in_force,
)
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Permission, Role
from cbtc.network.services.staff import staff_create
from tests.conftest import PASSWORD, Network, Personas

SCHEME = get_scheme("ph-doh")


def register(actor: User, org, code: str, *, confirmed: bool = True, **details: object) -> Client:  # type: ignore[no-untyped-def]
    demographics = Demographics(
        birth_year=details.pop("birth_year", 1990),  # type: ignore[arg-type]
        sex_at_birth=details.pop("sex_at_birth", "male"),  # type: ignore[arg-type]
    )
    return client_register(
        actor=actor,
        organisation=org,
        uic=parse_uic(SCHEME, code),
        demographics=demographics,
        identity=Identity(**details),  # type: ignore[arg-type]
        confirmed_new_person=confirmed,
    )


@pytest.fixture
def outreach_b(network: Network) -> User:
    user, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.outreach", password=PASSWORD
    )
    return user


def share(actor: User, client: Client, to: list, shared: set[str], **changes: object):  # type: ignore[no-untyped-def]
    data = ConsentInput(
        kind=ConsentKind.DISCLOSURE,
        method=ConsentMethod.WRITTEN,
        given_at=timezone.now() - timedelta(minutes=1),
        witnessed_by=actor,
        recipients=to,
        categories=frozenset(shared),
        purpose=Purpose.CARE_COORDINATION,
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    for key, value in changes.items():
        object.__setattr__(data, key, value)
    return consent_record(actor=actor, client=client, organisation=client.organisation, data=data)


def test_an_outreach_worker_registers_a_person_with_only_a_nickname_and_a_code(
    network: Network, personas: Personas
) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = client_register(
        actor=worker,
        organisation=network.org_a,
        uic=parse_uic(SCHEME, "MARE0101011970"),
        demographics=Demographics(),
        identity=Identity(nickname="Ton"),
    )
    record = client_get_for_actor(actor=worker, client_id=client.pk)
    assert record.identity == Identity(nickname="Ton")
    assert record.client.uic == "MARE0101011970"
    assert (record.client.uic_scheme, record.client.uic_scheme_version) == ("ph-doh", 1)
    assert record.client.birth_year is None
    assert "Ton" not in record.client.identity_ciphertext
    assert AuditEvent.objects.filter(action="client.register", object_id=str(client.pk)).count() == 1
    events, _ = client_timeline(record=record)
    assert [event.kind for event in events] == ["client.registered"]


def test_a_possible_duplicate_stops_registration_until_confirmed(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    first = register(worker, network.org_a, "MARE0101011970")
    with pytest.raises(PossibleDuplicates) as stopped:
        register(worker, network.org_a, "MARE0101011970", confirmed=False)
    assert [c.client.pk for c in stopped.value.report.candidates] == [first.pk]
    assert stopped.value.report.candidates[0].exact
    # One letter mistyped: still a candidate, by the fuzzy score.
    with pytest.raises(PossibleDuplicates) as fuzzy:
        register(worker, network.org_a, "MARI0101011970", confirmed=False)
    assert fuzzy.value.report.candidates[0].client.pk == first.pk
    assert not fuzzy.value.report.candidates[0].exact
    second = register(worker, network.org_a, "MARE0101011970", confirmed=True)
    assert second.pk != first.pk


def test_a_match_at_another_service_is_reported_without_revealing_anything(
    network: Network, personas: Personas, outreach_b: User
) -> None:
    register(outreach_b, network.org_b, "MARE0101011970", given_name="Maria")
    with pytest.raises(PossibleDuplicates) as stopped:
        register(personas.by_role[Role.OUTREACH_WORKER], network.org_a, "MARE0101011970", confirmed=False)
    assert stopped.value.report.candidates == []
    assert stopped.value.report.known_elsewhere


def test_other_organisations_see_nothing_without_a_consent(
    network: Network, personas: Personas, outreach_b: User
) -> None:
    client = register(personas.by_role[Role.OUTREACH_WORKER], network.org_a, "MARE0101011970", given_name="Maria")
    with pytest.raises(NotFound):
        client_get_for_actor(actor=outreach_b, client_id=client.pk)
    assert client_search_for_actor(actor=outreach_b, query=ClientQuery(uic="MARE0101011970")).rows == []
    assert client_search_for_actor(actor=outreach_b, query=ClientQuery(text="maria")).rows == []
    for network_wide in (Role.PROGRAMME_MANAGER, Role.QUALITY_ASSESSOR, Role.SYSTEM_ADMINISTRATOR):
        with pytest.raises((NotFound, NotPermitted)):
            client_get_for_actor(actor=personas.by_role[network_wide], client_id=client.pk)


def test_a_consent_shares_only_what_it_names_and_revocation_acts_at_once(
    network: Network, personas: Personas, outreach_b: User
) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970", given_name="Maria")
    consent = share(worker, client, [network.org_b], {InformationCategory.DEMOGRAPHICS})

    record = client_get_for_actor(actor=outreach_b, client_id=client.pk)
    assert not record.access.owner
    assert record.access.categories == {InformationCategory.DEMOGRAPHICS}
    assert record.identity is None
    events, _ = client_timeline(record=record)
    assert all(event.category == InformationCategory.DEMOGRAPHICS for event in events)
    # A name search cannot find a record whose consent withholds the name; a code search can.
    assert client_search_for_actor(actor=outreach_b, query=ClientQuery(text="maria")).rows == []
    assert [
        row.client.pk for row in client_search_for_actor(actor=outreach_b, query=ClientQuery(uic="MARE0101011970")).rows
    ] == [client.pk]

    disclosures = Disclosure.objects.filter(client=client)
    assert {(d.channel, d.recipient_organisation_id, tuple(d.categories)) for d in disclosures} == {
        ("view", network.org_b.pk, ("demographics",)),
        ("list", network.org_b.pk, ("demographics",)),
    }
    owner_record = client_get_for_actor(actor=worker, client_id=client.pk)
    accounting, _ = disclosure_accounting(actor=worker, record=owner_record)
    assert {d.pk for d in accounting} == set(disclosures.values_list("pk", flat=True))

    consent_revoke(actor=worker, consent=consent, method=ConsentMethod.VERBAL)
    with pytest.raises(NotFound):
        client_get_for_actor(actor=outreach_b, client_id=client.pk)
    assert client_search_for_actor(actor=outreach_b, query=ClientQuery(uic="MARE0101011970")).rows == []


def test_an_ending_event_ends_the_consent(network: Network, personas: Personas, outreach_b: User) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970")
    share(worker, client, [network.org_b], {"demographics"}, expires_on=None, expiry_event=ExpiryEvent.END_OF_TREATMENT)
    client_get_for_actor(actor=outreach_b, client_id=client.pk)
    ended = consent_expiry_event_occurred(
        actor=worker, client=client, organisation=network.org_a, event=ExpiryEvent.END_OF_TREATMENT
    )
    assert ended == 1
    with pytest.raises(NotFound):
        client_get_for_actor(actor=outreach_b, client_id=client.pk)


def test_a_consent_to_share_needs_every_element(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970")
    cases = {
        "recipients": {"recipients": []},
        "categories": {"categories": frozenset()},
        "purpose": {"purpose": "law_enforcement"},
        "expires_on": {"expires_on": None},
        "ethics_approval_reference": {"purpose": Purpose.RESEARCH},
        "method": {"method": "rumour"},
        "given_at": {"given_at": timezone.now() + timedelta(days=1)},
    }
    for field, changes in cases.items():
        with pytest.raises(ServiceError) as refused:
            share(worker, client, [network.org_b], {"demographics"}, **changes)
        assert refused.value.field == field, field


def test_a_minor_needs_a_guardians_consent(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    minor = register(worker, network.org_a, "MARE0101012011", birth_year=timezone.localdate().year - 15)
    treatment = ConsentInput(
        kind=ConsentKind.TREATMENT, method=ConsentMethod.VERBAL, given_at=timezone.now(), witnessed_by=worker
    )
    with pytest.raises(ServiceError) as refused:
        consent_record(actor=worker, client=minor, organisation=network.org_a, data=treatment)
    assert refused.value.field == "guardian_relationship"
    object.__setattr__(treatment, "guardian_relationship", "parent")
    consent = consent_record(actor=worker, client=minor, organisation=network.org_a, data=treatment)
    assert consent.age_basis == "minor_with_guardian"
    assert treatment_consent_in_force(client=minor, organisation_id=network.org_a.pk)
    consent_revoke(actor=worker, consent=consent, method=ConsentMethod.WRITTEN)
    assert not treatment_consent_in_force(client=minor, organisation_id=network.org_a.pk)


def test_a_merge_is_audited_loses_nothing_and_can_be_undone(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    manager = personas.by_role[Role.SERVICE_MANAGER]
    survivor = register(worker, network.org_a, "MARE0101011970", nickname="Ton")
    duplicate = register(worker, network.org_a, "MARI0101011970", nickname="Tony")
    with pytest.raises(NotPermitted):
        client_merge(actor=worker, survivor=survivor, duplicate=duplicate, reason="client_confirmed")
    merge = client_merge(actor=manager, survivor=survivor, duplicate=duplicate, reason="same_code_confirmed")
    record = client_get_for_actor(actor=manager, client_id=survivor.pk)
    assert set(record.group_ids) == {survivor.pk, duplicate.pk}
    events, _ = client_timeline(record=record)
    assert {event.client_id for event in events} == {survivor.pk, duplicate.pk}
    # The duplicate no longer shows in search, and is still readable (nothing is deleted).
    rows = client_search_for_actor(actor=manager, query=ClientQuery()).rows
    assert [row.client.pk for row in rows] == [survivor.pk]
    assert client_get_for_actor(actor=manager, client_id=duplicate.pk).identity == Identity(nickname="Tony")
    assert AuditEvent.objects.filter(action="client.merge", object_id=str(survivor.pk)).count() == 1

    client_merge_undo(actor=manager, merge=merge)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert ClientMerge.objects.get(pk=merge.pk).undone_by == manager
    assert AuditEvent.objects.filter(action="client.merge_undo", object_id=str(survivor.pk)).count() == 1
    assert {row.client.pk for row in client_search_for_actor(actor=manager, query=ClientQuery()).rows} == {
        survivor.pk,
        duplicate.pk,
    }
    with pytest.raises(ServiceError):
        client_merge_undo(actor=manager, merge=merge)


def test_records_of_different_organisations_cannot_be_merged(
    network: Network, personas: Personas, outreach_b: User
) -> None:
    mine = register(personas.by_role[Role.OUTREACH_WORKER], network.org_a, "MARE0101011970")
    theirs = register(outreach_b, network.org_b, "MARE0101011970")
    with pytest.raises(ServiceError) as refused:
        client_merge(
            actor=personas.by_role[Role.SERVICE_MANAGER], survivor=mine, duplicate=theirs, reason="registered_twice"
        )
    assert refused.value.field == "duplicate"


def test_search_by_name_words_uses_the_blind_index(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970", given_name="María José", family_name="Nguyễn")
    for term in ("maria", "MARIA nguyen", "José", "nguyen"):
        found = client_search_for_actor(actor=worker, query=ClientQuery(text=term)).rows
        assert [row.client.pk for row in found] == [client.pk], term
    assert client_search_for_actor(actor=worker, query=ClientQuery(text="mar")).rows == []
    assert client_search_for_actor(actor=worker, query=ClientQuery(text="maria smith")).rows == []


def test_a_merge_reason_comes_from_a_closed_list(network: Network, personas: Personas) -> None:
    # Merges are stored in plain text; a free-text reason would invite a client's name into it.
    worker = personas.by_role[Role.OUTREACH_WORKER]
    survivor = register(worker, network.org_a, "MARE0101011970")
    duplicate = register(worker, network.org_a, "MARI0101011970")
    with pytest.raises(ServiceError) as refused:
        client_merge(
            actor=personas.by_role[Role.SERVICE_MANAGER], survivor=survivor, duplicate=duplicate, reason="Maria, same"
        )
    assert refused.value.field == "reason"


def test_a_recipient_is_refused_changes_before_anything_is_disclosed_and_the_refusal_is_audited(
    network: Network, personas: Personas, outreach_b: User
) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970", given_name="Maria")
    share(worker, client, [network.org_b], {"demographics", "identity"})
    with pytest.raises(NotPermitted):
        client_get_for_actor(actor=outreach_b, client_id=client.pk, for_action=Permission.CLIENT_REGISTER)
    assert not Disclosure.objects.filter(client=client).exists()
    refusal = AuditEvent.objects.get(action="access.denied", object_id=str(client.pk))
    assert refusal.details == {"reason": "not_owner", "needed": "client.register"}
