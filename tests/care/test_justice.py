"""Justice involvement: progress reports to a court only under the client's consent to court reports, read with
the client, saying only how the client takes part in care (never results, lapses or notes), in the accounting of
disclosures; a consent "until treatment here ends" ends when the last episode here closes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cbtc.care.models import CourtReport, DischargeReason, Episode, EpisodeStatus
from cbtc.care.services.clinical import clinical_event_record
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.justice import CourtReportInput, court_report_prepare, participation
from cbtc.care.services.sessions import session_record
from cbtc.clients.models import Client, ClientEvent
from cbtc.clients.selectors import client_get_for_actor, client_timeline
from cbtc.clients.services import client_merge
from cbtc.consent.models import Consent, ConsentKind, ConsentMethod, Disclosure, ExpiryEvent
from cbtc.consent.services import ConsentInput, consent_record, consent_revoke
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from tests.clients.test_registry import register
from tests.conftest import Network, Personas
from tests.review.test_review_findings import share
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db
COURT = "District Court, diversion officer"


@pytest.fixture
def case_manager(personas: Personas) -> User:
    return personas.by_role[Role.CASE_MANAGER]


@pytest.fixture
def client_a(network: Network, case_manager: User) -> Client:
    client = register(case_manager, network.org_a, "MARE0101011970")
    treatment_consent(case_manager, client)
    return client


def court_consent(actor: User, client: Client, **changes: Any) -> Consent:
    data = ConsentInput(
        kind=ConsentKind.COURT_REPORT,
        method=ConsentMethod.WRITTEN,
        given_at=timezone.now() - timedelta(minutes=1),
        witnessed_by=actor,
        external_recipient=COURT,
        expires_on=timezone.localdate() + timedelta(days=180),
    )
    for key, value in changes.items():
        object.__setattr__(data, key, value)
    return consent_record(actor=actor, client=client, organisation=client.organisation, data=data)


def open_episode(network: Network, actor: User, client: Client) -> Episode:
    data = EpisodeInput(service=network.methadone_a, modality="oat", referral_source="court_diversion")
    return episode_open(actor=actor, client=client, data=data)


def report_input(consent: Consent | None, **changes: Any) -> CourtReportInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "consent_id": consent.pk if consent else None,
        "period_from": today - timedelta(days=30),
        "period_to": today,
        "statement": "Comes every week and has started a cooking course.",
        "read_with_client": True,
    }
    return CourtReportInput(**(values | changes))


def test_a_consent_to_court_reports_names_the_court_and_covers_nothing_else(
    network: Network, case_manager: User, client_a: Client
) -> None:
    consent = court_consent(case_manager, client_a)
    assert consent.external_recipient == COURT and consent.category_set == {"identity", "episodes"}
    assert consent.purpose == "" and not consent.recipients.exists()
    refusals = {
        "external_recipient": {"external_recipient": "  "},
        "kind": {"recipients": [network.org_b]},
        "expiry_event": {"expires_on": None, "expiry_event": ExpiryEvent.REFERRAL_CLOSED},
        "expires_on": {"expires_on": None},
    }
    for field, changes in refusals.items():
        with pytest.raises(ServiceError) as refused:
            court_consent(case_manager, client_a, **changes)
        assert refused.value.field == field
    with pytest.raises(ServiceError) as no_court_on_sharing:
        share(case_manager, client_a, network.org_b, {"episodes"}, external_recipient=COURT)
    assert no_court_on_sharing.value.field == "external_recipient"
    assert Consent.objects.filter(kind=ConsentKind.COURT_REPORT).count() == 1


def test_a_consent_to_court_reports_opens_the_record_to_no_one(
    network: Network, case_manager: User, client_a: Client, personas: Personas
) -> None:
    court_consent(case_manager, client_a)
    with pytest.raises(NotFound):
        client_get_for_actor(actor=personas.outsider_manager, client_id=client_a.pk)


def test_a_report_needs_the_consent_in_force_and_reading_with_the_client(
    network: Network, case_manager: User, client_a: Client
) -> None:
    episode = open_episode(network, case_manager, client_a)
    with pytest.raises(ServiceError) as no_consent:
        court_report_prepare(actor=case_manager, episode=episode, data=report_input(None))
    assert no_consent.value.field == "consent"
    consent = court_consent(case_manager, client_a)
    with pytest.raises(ServiceError) as unread:
        court_report_prepare(actor=case_manager, episode=episode, data=report_input(consent, read_with_client=False))
    assert unread.value.field == "read_with_client"
    today = timezone.localdate()
    for field, changes in {
        "period_to": {"period_to": today + timedelta(days=1)},
        "period_from": {"period_from": today - timedelta(days=400)},
        "statement": {"statement": "x" * 1001},
    }.items():
        with pytest.raises(ServiceError) as refused:
            court_report_prepare(actor=case_manager, episode=episode, data=report_input(consent, **changes))
        assert refused.value.field == field
    consent_revoke(actor=case_manager, consent=consent, method=ConsentMethod.VERBAL)
    with pytest.raises(ServiceError) as withdrawn:
        court_report_prepare(actor=case_manager, episode=episode, data=report_input(consent))
    assert withdrawn.value.field == "consent"
    assert not CourtReport.objects.exists() and not Disclosure.objects.exists()


def test_only_the_service_holding_the_episode_prepares_a_report(
    network: Network, case_manager: User, client_a: Client, personas: Personas
) -> None:
    episode = open_episode(network, case_manager, client_a)
    consent = court_consent(case_manager, client_a)
    with pytest.raises(NotPermitted):
        court_report_prepare(actor=personas.outsider_manager, episode=episode, data=report_input(consent))


def test_a_report_says_only_how_the_client_takes_part_and_is_in_the_accounting(
    network: Network, case_manager: User, client_a: Client, personas: Personas
) -> None:
    episode = open_episode(network, case_manager, client_a)
    clinician = personas.by_role[Role.CLINICIAN]
    now = timezone.now()
    for days_ago in (25, 12, 10, 2):
        session_record(
            actor=clinician,
            episode=episode,
            kind="individual_counselling",
            minutes=45,
            note="Talked about a relapse last weekend; positive urine test.",
            occurred_at=now - timedelta(days=days_ago),
        )
    clinical_event_record(actor=clinician, client=client_a, kind="relapse", episode=episode)
    consent = court_consent(case_manager, client_a)
    fortnight = report_input(consent, period_from=timezone.localdate() - timedelta(days=15))
    report = court_report_prepare(actor=case_manager, episode=episode, data=fortnight)

    assert report.court == COURT and report.sessions_in_period == 3  # the session 25 days ago is outside
    assert report.participation == "In care" and report.care_kind == episode.get_modality_display()
    said = " ".join(str(getattr(report, field.attname)) for field in CourtReport._meta.concrete_fields).lower()
    assert "relapse" not in said and "test" not in said and "urine" not in said
    disclosure = Disclosure.objects.get()
    assert disclosure.external_recipient == COURT and disclosure.recipient_organisation is None
    assert disclosure.disclosed_by == case_manager and disclosure.channel == "court_report"
    assert disclosure.categories == ["episodes", "identity"] and disclosure.purpose_label.startswith("Progress report")


def test_the_report_is_on_the_owner_s_timeline_only(
    network: Network, case_manager: User, client_a: Client, personas: Personas
) -> None:
    episode = open_episode(network, case_manager, client_a)
    court_report_prepare(actor=case_manager, episode=episode, data=report_input(court_consent(case_manager, client_a)))
    share(case_manager, client_a, network.org_b, {"episodes", "demographics"})
    owner = client_get_for_actor(actor=case_manager, client_id=client_a.pk)
    shared = client_get_for_actor(actor=personas.outsider_manager, client_id=client_a.pk)
    owner_kinds = {event.kind for event in client_timeline(record=owner)[0]}
    recipient_kinds = {event.kind for event in client_timeline(record=shared)[0]}
    assert "care.court_report" in owner_kinds
    assert "care.court_report" not in recipient_kinds and "care.episode_opened" in recipient_kinds
    assert ClientEvent.objects.filter(kind="care.court_report").count() == 1


@given(
    status=st.sampled_from(EpisodeStatus.values),
    reason=st.sampled_from(["", *DischargeReason.values]),
)
def test_a_report_tells_why_care_ended_only_when_it_was_completed(status: str, reason: str) -> None:
    said = participation(status, timezone.localdate(), reason)
    if status != EpisodeStatus.FINISHED:
        assert "ended" not in said and "completed" not in said
    elif reason == DischargeReason.COMPLETED:
        assert said.startswith("Care completed on")
    else:
        assert said.startswith("Care here ended on")
        assert not any(label.lower() in said.lower() for value, label in DischargeReason.choices if value)


def test_consents_until_treatment_ends_end_when_the_last_episode_here_closes(
    network: Network, case_manager: User, client_a: Client
) -> None:
    until_treatment_ends = {"expires_on": None, "expiry_event": ExpiryEvent.END_OF_TREATMENT}
    sharing = share(case_manager, client_a, network.org_b, {"episodes"}, **until_treatment_ends)
    court = court_consent(case_manager, client_a, **until_treatment_ends)
    dated = share(case_manager, client_a, network.org_b, {"screening"})
    first, second = open_episode(network, case_manager, client_a), open_episode(network, case_manager, client_a)
    episode_discharge(actor=case_manager, episode=first, reason="completed")
    assert not Consent.objects.filter(expiry_event_at__isnull=False).exists()  # still in care here
    episode_discharge(actor=case_manager, episode=second, reason="moved")
    ended = set(Consent.objects.filter(expiry_event_at__isnull=False).values_list("pk", flat=True))
    assert ended == {sharing.pk, court.pk} and dated.pk not in ended
    assert ClientEvent.objects.filter(kind="consent.ended").count() == 2


def test_a_merged_record_is_one_person_in_care_and_in_its_court_consents(
    network: Network, case_manager: User, client_a: Client
) -> None:
    duplicate = register(case_manager, network.org_a, "MARE0101011971")
    treatment_consent(case_manager, duplicate)
    on_duplicate = open_episode(network, case_manager, duplicate)
    client_merge(actor=case_manager, survivor=client_a, duplicate=duplicate, reason="client_confirmed")
    on_survivor = open_episode(network, case_manager, client_a)
    until_treatment_ends = {"expires_on": None, "expiry_event": ExpiryEvent.END_OF_TREATMENT}
    sharing = share(case_manager, client_a, network.org_b, {"episodes"}, **until_treatment_ends)

    # The court consent on the surviving record covers the episode kept on the duplicate.
    court = court_consent(case_manager, client_a)
    on_duplicate.refresh_from_db()
    assert court_report_prepare(actor=case_manager, episode=on_duplicate, data=report_input(court)).court == COURT

    episode_discharge(actor=case_manager, episode=on_duplicate, reason="completed")
    sharing.refresh_from_db()
    assert sharing.expiry_event_at is None  # still in care here, on the surviving record
    episode_discharge(actor=case_manager, episode=on_survivor, reason="completed")
    sharing.refresh_from_db()
    assert sharing.expiry_event_at is not None
