"""Special populations: a pregnancy adds care and never ends it; release from prison gets a continuity referral
before the release date and naloxone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cbtc.care.models import DischargeReason, EpisodeStatus, Pregnancy
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.populations import pregnancy_record, release_plan_record
from cbtc.errors import ServiceError
from cbtc.network.roles import Role
from cbtc.referrals.models import Referral
from tests.clients.test_registry import register
from tests.conftest import Network, Personas
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


def test_pregnancy_is_recorded_and_is_never_a_reason_to_end_an_episode(network: Network, personas: Personas) -> None:
    clinician = personas.by_role[Role.CLINICIAN]
    client = register(clinician, network.org_a, "MARE0101011970", sex_at_birth="female")
    treatment_consent(clinician, client)
    episode = episode_open(
        actor=clinician,
        client=client,
        data=EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self"),
    )
    pregnancy_record(
        actor=clinician,
        client=client,
        expected_on=timezone.localdate() + timedelta(days=120),
        delivery_plan="Keep methadone dose through labour",
    )
    assert Pregnancy.objects.count() == 1
    assert not any("pregnan" in value or "pregnan" in label.lower() for value, label in DischargeReason.choices)
    with pytest.raises(ServiceError):
        episode_discharge(actor=clinician, episode=episode, reason="pregnancy")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    with pytest.raises(ServiceError) as bad:
        pregnancy_record(actor=clinician, client=client, expected_on=timezone.localdate() + timedelta(days=400))
    assert bad.value.field == "expected_on"


def test_a_release_plan_makes_the_continuity_referral_before_release(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.CASE_MANAGER]
    client = register(worker, network.org_a, "JOSE0202021985")
    plan = release_plan_record(
        actor=worker,
        client=client,
        release_on=timezone.localdate() + timedelta(days=14),
        sending_service=network.methadone_a,
        continuity_service=network.outreach_b,
        naloxone_given=True,
        naloxone_training=True,
        family_trained=True,
    )
    referral = Referral.objects.get()
    assert plan.continuity_referral == referral
    assert (referral.reason, referral.source_type, referral.state) == ("continuity", "care.release_plan", "sent")
    assert referral.sent_at is not None and referral.sent_at.date() < plan.release_on
