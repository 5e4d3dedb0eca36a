"""Referrals through the services: the consent gate, the closed loop of states with the side that may take each
step, what each organisation can see, overdue and expiry, the placement review, and the figures per service."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.clients.models import Client, ClientEvent
from cbtc.clients.selectors import client_get_for_actor
from cbtc.consent.models import DisclosureChannel, ExpiryEvent, Purpose
from cbtc.consent.services import consent_revoke
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import Organisation, PyramidLevel, ServiceType, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import service_create
from cbtc.network.services.staff import staff_create
from cbtc.referrals.metrics import referral_metrics
from cbtc.referrals.models import Referral, ReferralEvent, ReferralState
from cbtc.referrals.selectors import referral_box, referral_by_code, referral_for_actor
from cbtc.referrals.services import (
    referral_accept,
    referral_attended,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_no_show,
    referral_send,
    referrals_expire,
)
from cbtc.screening.level_of_care import recommendation_record
from cbtc.screening.models import PlacementReview
from tests.clients.test_registry import share
from tests.conftest import PASSWORD, Network
from tests.referrals.conftest import refer
from tests.screening.conftest import recorded_assist, treatment_consent
from tests.screening.instrument_helpers import assist_answers

pytestmark = pytest.mark.django_db


def test_an_anonymous_referral_shares_nothing_and_the_client_carries_a_code(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b, urgency="urgent")
    assert referral.state == ReferralState.SENT and referral.anonymous
    assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{4}", referral.code)
    assert referral.due_at == referral.sent_at + timedelta(hours=24)  # urgent: an answer within a day
    entry = ClientEvent.objects.get(client=client_a, kind="referral.sent")
    assert entry.category == "referrals"
    assert (
        entry.summary
        == "Anonymous referral to Beta street outreach (Beta Community Network): opioid agonist treatment, urgent"
    )
    assert AuditEvent.objects.filter(action="referral.sent", object_id=str(referral.pk)).exists()

    # The receiving service sees the referral, and nothing about the client.
    assert [r.pk for r in referral_box(actor=worker_b, box="inbox")] == [referral.pk]
    assert referral_by_code(actor=worker_b, code=referral.code.lower().replace("-", " ")) == referral
    with pytest.raises(NotFound):
        client_get_for_actor(actor=worker_b, client_id=client_a.pk, channel=DisclosureChannel.VIEW)


@pytest.mark.parametrize(
    ("consent_changes", "shared", "message"),
    [
        (None, {"demographics"}, "needs their consent"),
        ({"purpose": Purpose.QUALITY_REVIEW}, {"demographics"}, "not for care coordination"),
        ({}, {"demographics", "screening"}, "does not cover"),
        ({"recipients": "other"}, {"demographics"}, "does not name"),
    ],
)
def test_sharing_needs_a_consent_naming_the_receiver_for_care_covering_what_is_shared(  # noqa: PLR0917
    network: Network,
    client_a: Client,
    worker_a: User,
    org_c: Organisation,
    consent_changes: dict[str, object] | None,
    shared: set[str],
    message: str,
) -> None:
    consent = None
    if consent_changes is not None:
        changes = dict(consent_changes)
        recipients = [org_c] if changes.pop("recipients", None) == "other" else [network.org_b]
        if changes.get("purpose") == Purpose.QUALITY_REVIEW:
            changes["expires_on"] = timezone.localdate() + timedelta(days=30)
        consent = share(worker_a, client_a, recipients, {"demographics"}, **changes)
    with pytest.raises(ServiceError) as refused:
        refer(
            worker_a,
            client_a,
            network.methadone_a,
            network.outreach_b,
            shared_categories=frozenset(shared),
            consent=consent,
        )
    assert message in refused.value.message
    assert refused.value.field in ("consent", "shared_categories")
    assert not Referral.objects.exists() and not ClientEvent.objects.filter(kind__startswith="referral").exists()


def test_a_consented_referral_shares_only_the_consented_categories_until_the_referral_closes(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    consent = share(
        worker_a, client_a, [network.org_b], {"demographics"}, expiry_event=ExpiryEvent.REFERRAL_CLOSED, expires_on=None
    )
    referral = refer(
        worker_a,
        client_a,
        network.methadone_a,
        network.outreach_b,
        shared_categories=frozenset({"demographics"}),
        consent=consent,
    )
    record = client_get_for_actor(actor=worker_b, client_id=client_a.pk, channel=DisclosureChannel.VIEW)
    assert record.sees("demographics") and not record.sees("screening") and not record.sees("identity")

    referral_decline(actor=worker_b, referral=referral, reason="no_capacity", suggested_service=network.methadone_a)
    consent.refresh_from_db()
    assert consent.expiry_event_at is not None
    with pytest.raises(NotFound):
        client_get_for_actor(actor=worker_b, client_id=client_a.pk, channel=DisclosureChannel.VIEW)


def test_the_closed_loop_each_side_takes_its_own_steps_and_the_sender_follows_them(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    with pytest.raises(NotPermitted):
        referral_accept(actor=worker_a, referral=referral)  # the sender cannot accept for the receiver
    with pytest.raises(NotPermitted):
        referral_cancel(actor=worker_b, referral=referral)  # nor the receiver cancel for the sender
    appointment = timezone.now() + timedelta(days=2)
    referral = referral_accept(actor=worker_b, referral=referral, appointment_at=appointment)
    assert referral.due_at == appointment + timedelta(hours=24)
    with pytest.raises(ServiceError) as refused:
        referral_complete(actor=worker_b, referral=referral, outcome="enrolled")  # not attended yet
    assert refused.value.field == "state"
    referral_attended(actor=worker_b, referral=referral)
    referral = referral_complete(actor=worker_b, referral=referral, outcome="enrolled")
    assert referral.state == ReferralState.COMPLETED and referral.closed_at is not None
    history = [event.state for event in ReferralEvent.objects.filter(referral=referral).order_by("occurred_at", "pk")]
    assert history == ["draft", "sent", "accepted", "attended", "completed"]
    seen_by_sender = referral_for_actor(actor=worker_a, referral_id=referral.pk)
    assert [event.state for event in seen_by_sender.history] == history
    assert seen_by_sender.is_sender and not seen_by_sender.is_receiver and seen_by_sender.steps == []
    timeline = list(ClientEvent.objects.filter(client=client_a, category="referrals").values_list("kind", flat=True))
    assert sorted(timeline) == sorted(["referral.sent", "referral.accepted", "referral.attended", "referral.completed"])


def test_a_draft_is_the_sender_s_own_until_sent_and_cancelling_is_final(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    draft = refer(worker_a, client_a, network.methadone_a, network.outreach_b, send=False)
    assert draft.state == ReferralState.DRAFT and list(referral_box(actor=worker_b, box="inbox")) == []
    with pytest.raises(NotFound):
        referral_for_actor(actor=worker_b, referral_id=draft.pk)
    sent = referral_send(actor=worker_a, referral=draft)
    assert sent.state == ReferralState.SENT
    cancelled = referral_cancel(actor=worker_a, referral=sent)
    assert cancelled.state == ReferralState.CANCELLED
    with pytest.raises(ServiceError):
        referral_accept(actor=worker_b, referral=cancelled)
    with pytest.raises(ServiceError):
        referral_no_show(actor=worker_b, referral=cancelled)


def test_an_outsider_never_learns_a_referral_exists(network: Network, client_a: Client, worker_a: User) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.SERVICE_MANAGER, username="b.boss", password=PASSWORD
    )
    with pytest.raises(NotPermitted):  # no referral role at all
        referral_for_actor(actor=outsider, referral_id=referral.pk)
    third = service_create(
        actor=None, site=network.site_b, name="Beta clinic", type=ServiceType.OUTPATIENT_PSYCHOSOCIAL, pyramid_level=4
    )
    assert third.organisation_id == network.org_b.pk
    other_org_worker, _ = staff_create(
        actor=None, organisation=network.org_a, role=Role.DISPENSER, username="a.dispenser2", password=PASSWORD
    )
    with pytest.raises(NotPermitted):
        referral_box(actor=other_org_worker, box="outbox")


def test_referrals_within_one_organisation_need_no_consent(network: Network, client_a: Client, worker_a: User) -> None:
    inside = service_create(
        actor=None,
        site=network.site_a,
        name="Alpha counselling",
        type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
        pyramid_level=4,
    )
    referral = refer(worker_a, client_a, network.methadone_a, inside)
    assert referral.state == ReferralState.SENT and not referral.consent_id
    consent = share(worker_a, client_a, [network.org_b], {"demographics"})
    with pytest.raises(ServiceError) as refused:
        refer(
            worker_a,
            client_a,
            network.methadone_a,
            inside,
            shared_categories=frozenset({"demographics"}),
            consent=consent,
        )
    assert refused.value.field == "consent"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": "detention"}, "reason"),
        ({"urgency": "whenever"}, "urgency"),
        ({"note": "x" * 301}, "note"),
        ({"booked_with_client_present": True}, "appointment_at"),
        ({"appointment_at": "past"}, "appointment_at"),
    ],
)
def test_bad_input_is_refused_with_the_field(
    network: Network, client_a: Client, worker_a: User, fields: dict[str, object], field: str
) -> None:
    if fields.get("appointment_at") == "past":
        fields = {"appointment_at": timezone.now() - timedelta(days=1)}
    with pytest.raises(ServiceError) as refused:
        refer(worker_a, client_a, network.methadone_a, network.outreach_b, **fields)
    assert refused.value.field == field
    assert not Referral.objects.exists()


@override_settings(REFERRAL_EXPIRE_DAYS=10)
def test_open_referrals_become_overdue_then_expire_and_a_consent_ending_with_them_ends(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    consent = share(
        worker_a, client_a, [network.org_b], {"demographics"}, expiry_event=ExpiryEvent.REFERRAL_CLOSED, expires_on=None
    )
    late = refer(
        worker_a,
        client_a,
        network.methadone_a,
        network.outreach_b,
        shared_categories=frozenset({"demographics"}),
        consent=consent,
    )
    fresh = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    Referral.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=11))
    Referral.objects.filter(pk=fresh.pk).update(due_at=timezone.now() - timedelta(days=1))
    assert {r.pk for r in referral_box(actor=worker_b, box="inbox", show="overdue")} == {late.pk, fresh.pk}
    assert referrals_expire() == 1
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.state == ReferralState.EXPIRED and fresh.state == ReferralState.SENT
    consent.refresh_from_db()
    assert consent.expiry_event_at is not None
    assert list(referral_box(actor=worker_b, box="inbox", show="closed")) == [late]


def test_a_referral_to_a_more_intensive_service_than_recommended_is_flagged_for_review(
    network: Network, client_a: Client, worker_a: User
) -> None:
    treatment_consent(worker_a, client_a)
    assessment = recorded_assist(client_a, worker_a, assist_answers({}))  # nothing used: level 1
    recommendation_record(
        actor=worker_a, client=client_a, organisation=network.org_a, assessment=assessment, context={}
    )
    residential = service_create(
        actor=None,
        site=network.site_b,
        name="Beta residential",
        type=ServiceType.LONG_TERM_RESIDENTIAL,
        pyramid_level=7,
    )
    referral = refer(worker_a, client_a, network.methadone_a, residential, reason="residential")
    review = PlacementReview.objects.get()
    assert (review.placed_by_object_type, review.placed_by_object_id) == ("referral", referral.pk)
    assert (review.recommended_level, review.placed_level) == (1, PyramidLevel.LONG_TERM_RESIDENTIAL)
    assert referral.state == ReferralState.SENT  # flagged, never blocked


def test_figures_per_service(network: Network, client_a: Client, worker_a: User, worker_b: User) -> None:
    done = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    referral_accept(actor=worker_b, referral=done)
    Referral.objects.filter(pk=done.pk).update(sent_at=timezone.now() - timedelta(days=3))
    referral_attended(actor=worker_b, referral=done)
    referral_complete(actor=worker_b, referral=done, outcome="service_given")
    declined = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    referral_decline(actor=worker_b, referral=declined, reason="not_suitable")
    refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    since, until = timezone.now() - timedelta(days=30), timezone.now() + timedelta(minutes=1)
    [alpha] = referral_metrics(actor=worker_a, organisation_id=network.org_a.pk, since=since, until=until)
    assert (alpha.sent.total, alpha.sent.accepted, alpha.sent.declined) == (3, 1, 1)
    assert (alpha.sent.attended, alpha.sent.completed) == (1, 1)
    assert alpha.sent.median_days_to_attendance == pytest.approx(3, abs=0.1)
    [beta] = referral_metrics(actor=worker_b, organisation_id=network.org_b.pk, since=since, until=until)
    assert beta.received.total == 3 and beta.sent.total == 0
    with pytest.raises(NotFound):
        referral_metrics(actor=worker_b, organisation_id=network.org_a.pk, since=since, until=until)


@override_settings(REFERRAL_EXPIRE_DAYS=10)
def test_the_daily_command_expires_what_waited_too_long(network: Network, client_a: Client, worker_a: User) -> None:
    stale = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    Referral.objects.filter(pk=stale.pk).update(due_at=timezone.now() - timedelta(days=11))
    out = io.StringIO()
    call_command("referrals_expire", stdout=out)
    assert out.getvalue().strip() == "1 referral expired (open and due more than 10 days ago)."
    call_command("referrals_expire", stdout=out)
    assert "0 referrals expired" in out.getvalue()
    stale.refresh_from_db()
    assert stale.state == ReferralState.EXPIRED


def test_a_withdrawn_consent_ends_what_the_receiving_service_sees_at_once(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    consent = share(worker_a, client_a, [network.org_b], {"demographics"})
    referral = refer(
        worker_a,
        client_a,
        network.methadone_a,
        network.outreach_b,
        shared_categories=frozenset({"demographics"}),
        consent=consent,
    )
    referral_accept(actor=worker_b, referral=referral)
    assert client_get_for_actor(actor=worker_b, client_id=client_a.pk, channel=DisclosureChannel.VIEW)
    consent_revoke(actor=worker_a, consent=consent, method="verbal")
    with pytest.raises(NotFound):
        client_get_for_actor(actor=worker_b, client_id=client_a.pk, channel=DisclosureChannel.VIEW)
    # The referral itself goes on: the receiving service can still record that the client came.
    assert referral_attended(actor=worker_b, referral=referral).state == ReferralState.ATTENDED


def _actors(network: Network, org_c: Organisation, worker_a: User, worker_b: User) -> dict[str, User]:
    def staff(organisation: Organisation, role: Role, name: str) -> User:
        return staff_create(actor=None, organisation=organisation, role=role, username=name, password=PASSWORD)[0]

    return {
        "sender": worker_a,
        "sender colleague (case manager)": staff(network.org_a, Role.CASE_MANAGER, "a.cm2"),
        "sender dispenser": staff(network.org_a, Role.DISPENSER, "a.disp2"),
        "receiver": worker_b,
        "receiver service manager": staff(network.org_b, Role.SERVICE_MANAGER, "b.sm2"),
        "third organisation": staff(org_c, Role.CLINICIAN, "c.clin"),
        "programme manager": staff(network.org_a, Role.PROGRAMME_MANAGER, "prog"),
    }


# Who may open the referral (True), who is told it does not exist (404) and who has no referral role (403).
VISIBILITY = {
    "sender": True,
    "sender colleague (case manager)": True,
    "sender dispenser": 403,
    "receiver": True,
    "receiver service manager": 403,
    "third organisation": 404,
    "programme manager": 403,
}


def test_the_visibility_matrix_across_organisations(
    network: Network, client_a: Client, worker_a: User, worker_b: User, org_c: Organisation
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    draft = refer(worker_a, client_a, network.methadone_a, network.outreach_b, send=False)
    for name, actor in _actors(network, org_c, worker_a, worker_b).items():
        expected = VISIBILITY[name]
        if expected is True:
            seen = referral_for_actor(actor=actor, referral_id=referral.pk)
            assert seen.is_sender == name.startswith("sender"), name
            assert seen.is_receiver == name.startswith("receiver"), name
            inbox = {r.pk for r in referral_box(actor=actor, box="inbox", show="all")}
            outbox = {r.pk for r in referral_box(actor=actor, box="outbox", show="all")}
            if name.startswith("sender"):
                assert outbox == {referral.pk, draft.pk} and inbox == set(), name
            else:
                assert inbox == {referral.pk} and outbox == set(), name
                with pytest.raises(NotFound):
                    referral_for_actor(actor=actor, referral_id=draft.pk)  # a draft is the sender's own
        elif expected == 404:
            with pytest.raises(NotFound):
                referral_for_actor(actor=actor, referral_id=referral.pk)
            assert list(referral_box(actor=actor, box="inbox", show="all")) == []
        else:
            with pytest.raises(NotPermitted):
                referral_for_actor(actor=actor, referral_id=referral.pk)


def test_one_service_s_box(network: Network, client_a: Client, worker_a: User, worker_b: User) -> None:
    other_b = service_create(
        actor=None, site=network.site_b, name="Beta drop-in", type=ServiceType.DROP_IN, pyramid_level=1
    )
    to_outreach = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    to_drop_in = refer(worker_a, client_a, network.methadone_a, other_b)
    assert [r.pk for r in referral_box(actor=worker_b, box="inbox", service_id=other_b.pk)] == [to_drop_in.pk]
    assert {r.pk for r in referral_box(actor=worker_b, box="inbox")} == {to_outreach.pk, to_drop_in.pk}
