"""Demo care history: made through the real services for a subset of the demo clients, spread over months in the
past with each record and its timeline entry moved back together, covering every kind of record, loaded once, and
refused outside demo and test modes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Min
from django.utils import timezone

from cbtc.care.demo import load_demo_care
from cbtc.care.demo_justice import load_demo_incidents, load_demo_justice
from cbtc.care.models import (
    CarePlan,
    ClinicalEvent,
    CourtReport,
    DischargeReason,
    Episode,
    EpisodeStatus,
    Goal,
    GoalKind,
    Incident,
    OutcomeProfile,
    OutreachContact,
    OverdoseEvent,
    RecoveryCheckIn,
    Session,
    Stage,
    SupplyGiven,
)
from cbtc.clients.demo import load_demo_clients
from cbtc.clients.models import Client, ClientEvent
from cbtc.consent.models import Consent, Disclosure
from cbtc.errors import ServiceError
from cbtc.network.demo import load_demo

pytestmark = pytest.mark.django_db

MODELS = (OutreachContact, Episode, Session, CarePlan, Goal, OutcomeProfile, ClinicalEvent, RecoveryCheckIn)


def snapshot() -> list[int]:
    return [model.objects.count() for model in (*MODELS, ClientEvent)]


def test_demo_care_spans_months_covers_every_kind_and_loads_once() -> None:
    load_demo()
    load_demo_clients(count=120)
    result = load_demo_care()
    now = timezone.now()

    # Every kind of record, in plausible proportions.
    assert result.created >= 60 and result.tallies_added > 20
    contacts = OutreachContact.objects.all()
    assert contacts.filter(client__isnull=False).count() > 50 and contacts.filter(client__isnull=True).exists()
    assert SupplyGiven.objects.filter(item="needles_syringes").exists()
    assert SupplyGiven.objects.filter(item="naloxone_kits").exists()
    assert SupplyGiven.objects.filter(item="hiv_rapid_test", pre_test_counselling=True, post_test_counselling=True)
    assert OverdoseEvent.objects.exclude(naloxone_given_by="nobody").exists()
    episodes = Episode.objects.all()
    assert episodes.filter(status=EpisodeStatus.ACTIVE).exists()
    reasons = set(episodes.filter(status=EpisodeStatus.FINISHED).values_list("discharge_reason", flat=True))
    assert {DischargeReason.COMPLETED, DischargeReason.CLIENT_CHOSE_TO_LEAVE} <= reasons, reasons
    assert episodes.filter(key_worker__isnull=False).exists()
    assert Session.objects.count() > episodes.count() and Session.objects.exclude(note="").exists()
    assert {GoalKind.REDUCED_USE, GoalKind.SAFER_USE} <= set(Goal.objects.values_list("kind", flat=True))
    assert {Stage.START, Stage.REVIEW} <= set(OutcomeProfile.objects.values_list("stage", flat=True))
    assert ClinicalEvent.objects.exists() and RecoveryCheckIn.objects.exists()
    # Nothing followed from a lapse or relapse: those episodes are open unless they ended for another reason.
    assert all(e.episode_id is not None for e in ClinicalEvent.objects.all())

    # Spread over the past six months, never in the future, each record with its timeline entry.
    care_events = ClientEvent.objects.filter(kind__startswith="care.")
    assert care_events.filter(occurred_at__lt=now - timedelta(days=120)).exists()
    assert care_events.filter(occurred_at__gt=now - timedelta(days=30)).exists()
    assert not ClientEvent.objects.filter(occurred_at__gt=now).exists()
    assert not care_events.filter(occurred_at__lt=now - timedelta(days=190)).exists()
    for session in Session.objects.all()[:50]:
        entry = ClientEvent.objects.get(object_type="session", object_id=str(session.pk))
        assert entry.occurred_at == session.occurred_at
    for episode in episodes:
        history = list(episode.history.order_by("changed_at").values_list("changed_at", flat=True))
        entries = ClientEvent.objects.filter(object_type="episode", object_id=str(episode.pk))
        assert sorted(entries.values_list("occurred_at", flat=True)) == history
        assert history[0] == episode.opened_at
        assert episode.finished_at is None or history[-1] == episode.finished_at
    # A client's timeline starts with the registration, and the consent to treatment comes before admission.
    for client in Client.objects.filter(pk__in=care_events.values("client_id")):
        first_care = care_events.filter(client=client).aggregate(first=Min("occurred_at"))["first"]
        assert client.registered_at < first_care
    for episode in episodes.exclude(admitted_at=None):
        consents = Consent.objects.filter(client=episode.client, organisation=episode.organisation, kind="treatment")
        assert consents.filter(given_at__lt=episode.admitted_at).exists()

    # A second run adds nothing.
    before = snapshot()
    again = load_demo_care()
    assert (again.created, again.tallies_added) == (0, 0)
    assert snapshot() == before
    assert "added" not in again.summary

    _diversion_and_incidents_load_once()


def _diversion_and_incidents_load_once() -> None:
    """After the care history: two clients in a diversion programme, and incidents for the network figures."""
    # Two clients in a diversion programme, with their consent to court reports and a report; once only.
    assert load_demo_justice() == 2
    assert load_demo_justice() == 0
    reports = CourtReport.objects.select_related("episode")
    assert reports.count() == 2 and all(r.episode.referral_source == "court_diversion" for r in reports)
    assert Disclosure.objects.filter(channel="court_report").count() == 2

    # Incidents over six months for the network's figures; once only.
    assert load_demo_incidents() == 40
    assert load_demo_incidents() == 0
    kinds = set(Incident.objects.values_list("kind", flat=True))
    assert {"police_harassment", "arrest"} <= kinds and Incident.objects.filter(client__isnull=False).exists()


def test_refused_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MODE = "production"
    with pytest.raises(ServiceError, match="demo or test mode"):
        load_demo_care()
