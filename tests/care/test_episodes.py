"""Episodes of care: admission needs the treatment consent; no maximum length, only review reminders; many
episodes per person and coming back is never refused; an involuntary discharge is documented, reviewed by a
colleague and makes a contingency referral; lost to follow-up needs the configured days without contact;
pregnancy, relapse and test results are not reasons to end care."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.care.models import DischargeReason, Episode, EpisodeStatus, EpisodeStatusChange
from cbtc.care.services.episodes import (
    EpisodeInput,
    InvoluntaryDischarge,
    episode_discharge,
    episode_open,
    episode_review,
    episode_set_status,
)
from cbtc.clients.models import Client, ClientEvent
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.directory import service_create
from cbtc.network.services.staff import staff_create
from cbtc.referrals.models import Referral, ReferralState
from cbtc.screening.level_of_care import recommendation_record
from cbtc.screening.models import PlacementReview
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas
from tests.screening.conftest import recorded_assist, treatment_consent
from tests.screening.instrument_helpers import assist_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def client_a(network: Network, clinician: User) -> Client:
    return register(clinician, network.org_a, "MARE0101011970")


def open_episode(network: Network, actor: User, client: Client, status: str = "active") -> Episode:
    data = EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self", status=status)
    return episode_open(actor=actor, client=client, data=data)


def test_admission_needs_the_treatment_consent_and_sets_a_review_reminder(
    network: Network, clinician: User, client_a: Client
) -> None:
    with pytest.raises(ServiceError) as refused:
        open_episode(network, clinician, client_a)
    assert refused.value.field == "status" and not Episode.objects.exists()
    waiting = open_episode(network, clinician, client_a, status="waiting")  # waiting needs no consent yet
    with pytest.raises(ServiceError):
        episode_set_status(actor=clinician, episode=waiting, status="active")
    treatment_consent(clinician, client_a)
    active = episode_set_status(actor=clinician, episode=waiting, status="active")
    assert active.admitted_at is not None
    assert active.next_review_on == timezone.localdate() + timedelta(days=90)
    history = list(
        EpisodeStatusChange.objects.filter(episode=active).order_by("changed_at", "pk").values_list("status", flat=True)
    )
    assert history == ["waiting", "active"]
    assert ClientEvent.objects.filter(client=client_a, category="episodes").count() == 2
    assert AuditEvent.objects.filter(action="care.episode_opened").count() == 1


def test_no_maximum_length_a_review_moves_the_reminder_and_never_ends_the_episode(
    network: Network, clinician: User, client_a: Client
) -> None:
    treatment_consent(clinician, client_a)
    episode = open_episode(network, clinician, client_a)
    Episode.objects.filter(pk=episode.pk).update(opened_at=timezone.now() - timedelta(days=3 * 365))
    history = EpisodeStatusChange.objects.filter(episode=episode).count()
    reviewed = episode_review(actor=clinician, episode=episode)
    assert reviewed.status == EpisodeStatus.ACTIVE and reviewed.finished_at is None
    assert EpisodeStatusChange.objects.filter(episode=episode).count() == history  # a review is not a status change
    chosen = timezone.localdate() + timedelta(days=30)
    assert episode_review(actor=clinician, episode=episode, next_review_on=chosen).next_review_on == chosen
    with pytest.raises(ServiceError):
        episode_review(actor=clinician, episode=episode, next_review_on=timezone.localdate())


def test_many_episodes_and_coming_back_after_leaving_is_never_refused(
    network: Network, clinician: User, client_a: Client
) -> None:
    treatment_consent(clinician, client_a)
    first = open_episode(network, clinician, client_a)
    episode_discharge(actor=clinician, episode=first, reason="client_chose_to_leave")
    again = open_episode(network, clinician, client_a)
    third = open_episode(network, clinician, client_a, status="planned")
    assert again.status == EpisodeStatus.ACTIVE and third.status == EpisodeStatus.PLANNED
    with pytest.raises(ServiceError) as ended:
        episode_set_status(actor=clinician, episode=first, status="active")
    assert "Open a new one" in ended.value.message


def test_an_involuntary_discharge_is_documented_reviewed_and_makes_a_contingency_referral(
    network: Network, clinician: User, client_a: Client, personas: Personas
) -> None:
    treatment_consent(clinician, client_a)
    episode = open_episode(network, clinician, client_a)
    colleague = personas.by_role[Role.CASE_MANAGER]
    documented = InvoluntaryDischarge(
        safety_reason="Threatened staff with a weapon on two days.",
        measures_tried="De-escalation, a safety agreement, a change of counsellor.",
        reviewed_by=colleague,
        contingency_service=network.outreach_b,
    )
    with pytest.raises(ServiceError) as undocumented:
        episode_discharge(actor=clinician, episode=episode, reason="involuntary_for_safety")
    assert undocumented.value.field == "safety_reason"
    with pytest.raises(ServiceError) as self_review:
        episode_discharge(
            actor=clinician,
            episode=episode,
            reason="involuntary_for_safety",
            involuntary=InvoluntaryDischarge(
                documented.safety_reason, documented.measures_tried, clinician, network.outreach_b
            ),
        )
    assert self_review.value.field == "reviewed_by"
    assert not Referral.objects.exists()
    ended = episode_discharge(actor=clinician, episode=episode, reason="involuntary_for_safety", involuntary=documented)
    referral = Referral.objects.get()
    assert ended.contingency_referral == referral and ended.reviewed_by == colleague
    assert (referral.reason, referral.urgency, referral.state) == ("contingency", "urgent", ReferralState.SENT)
    assert referral.source_type == "care.involuntary_discharge" and referral.anonymous


@override_settings(EPISODE_LOST_AFTER_DAYS=60)
def test_lost_to_follow_up_needs_the_days_without_contact(network: Network, clinician: User, client_a: Client) -> None:
    treatment_consent(clinician, client_a)
    episode = open_episode(network, clinician, client_a)
    with pytest.raises(ServiceError) as recent:
        episode_discharge(actor=clinician, episode=episode, reason="lost_to_follow_up")
    assert "60 days without contact" in recent.value.message
    ClientEvent.objects.filter(client=client_a).update(occurred_at=timezone.now() - timedelta(days=61))
    assert episode_discharge(actor=clinician, episode=episode, reason="lost_to_follow_up").status == "finished"


def test_pregnancy_relapse_and_test_results_are_not_reasons_to_end_care() -> None:
    for word in ("pregnan", "relapse", "positive", "test", "use", "sanction", "rule"):
        assert not any(word in value for value in DischargeReason.values), word
        assert not any(word in label.lower() for label in DischargeReason.labels if word != "use"), word


def test_only_staff_who_record_care_at_the_client_s_organisation(
    network: Network, clinician: User, client_a: Client, personas: Personas
) -> None:
    treatment_consent(clinician, client_a)
    episode = open_episode(network, clinician, client_a)
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.c", password=PASSWORD
    )
    for actor in (outsider, personas.by_role[Role.DISPENSER]):
        with pytest.raises(NotPermitted):
            episode_discharge(actor=actor, episode=episode, reason="completed")
        with pytest.raises(NotPermitted):
            open_episode(network, actor, client_a)
    with pytest.raises(ServiceError) as bad:
        episode_discharge(actor=clinician, episode=episode, reason="pregnant")
    assert bad.value.field == "discharge_reason"


def test_an_admission_more_intensive_than_recommended_is_flagged_for_review_never_refused(
    network: Network, clinician: User, client_a: Client
) -> None:
    treatment_consent(clinician, client_a)
    assessment = recorded_assist(client_a, clinician, assist_answers({}))  # nothing used: level 1
    recommendation_record(
        actor=clinician, client=client_a, organisation=network.org_a, assessment=assessment, context={}
    )
    residential = service_create(
        actor=None, site=network.site_a, name="Alpha residential", type="long_term_residential", pyramid_level=7
    )
    data = EpisodeInput(service=residential, modality="long_term_residential", referral_source="self")
    episode = episode_open(actor=clinician, client=client_a, data=data)
    assert episode.status == EpisodeStatus.ACTIVE
    review = PlacementReview.objects.get()
    assert (review.placed_by_object_type, review.placed_by_object_id, review.placed_level) == ("episode", episode.pk, 7)
