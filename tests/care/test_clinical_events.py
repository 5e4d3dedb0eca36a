"""Relapse and test results are clinical events: recorded, and nothing else happens. No rule anywhere discharges,
sanctions or notifies because of them: the episode, referrals, consents, the rest of the timeline and the audit
trail are exactly as before, apart from the one entry and the one audit event of the recording itself."""

from __future__ import annotations

import pytest

from cbtc.audit.models import AuditEvent
from cbtc.care.models import ClinicalEvent, Episode, EpisodeStatus, EpisodeStatusChange
from cbtc.care.services.clinical import clinical_event_record
from cbtc.care.services.episodes import EpisodeInput, episode_open
from cbtc.clients.models import ClientEvent, Substance
from cbtc.consent.models import Consent
from cbtc.errors import ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.referrals.models import Referral
from tests.clients.test_registry import register
from tests.conftest import Network, Personas
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, object]:
    return {
        "episodes": list(
            Episode.objects.values_list("pk", "status", "finished_at", "discharge_reason", "next_review_on")
        ),
        "history": EpisodeStatusChange.objects.count(),
        "referrals": Referral.objects.count(),
        "consents": list(Consent.objects.values_list("pk", "revoked_at", "expiry_event_at")),
        "timeline": ClientEvent.objects.exclude(kind="care.clinical_event").count(),
        "audit": AuditEvent.objects.exclude(action="care.clinical_event").count(),
    }


def test_relapse_and_a_positive_test_change_nothing_but_their_own_record(network: Network, personas: Personas) -> None:
    clinician: User = personas.by_role[Role.CLINICIAN]
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    episode = episode_open(
        actor=clinician,
        client=client,
        data=EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self"),
    )
    before = _snapshot()
    heroin = Substance.objects.first()
    for kind, result in (("lapse", ""), ("relapse", ""), ("drug_test", "positive"), ("drug_test", "positive")):
        clinical_event_record(
            actor=clinician, client=client, kind=kind, episode=episode, substance=heroin, test_result=result
        )
    assert _snapshot() == before
    assert ClinicalEvent.objects.count() == 4
    assert ClientEvent.objects.filter(kind="care.clinical_event").count() == 4
    assert AuditEvent.objects.filter(action="care.clinical_event").count() == 4
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


@pytest.mark.parametrize(("kind", "result"), [("drug_test", ""), ("relapse", "positive"), ("punishment", "")])
def test_a_test_has_a_result_and_a_relapse_has_none(
    network: Network, personas: Personas, kind: str, result: str
) -> None:
    clinician = personas.by_role[Role.CLINICIAN]
    client = register(clinician, network.org_a, "MARE0101011970")
    with pytest.raises(ServiceError):
        clinical_event_record(actor=clinician, client=client, kind=kind, test_result=result)
    assert not ClinicalEvent.objects.exists()
