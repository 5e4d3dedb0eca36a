"""Pregnancy records and release plans. Both add care; neither ends, limits or refuses anything."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models.populations import TEXT_MAX, Pregnancy, ReleasePlan
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import ReferralReason, Urgency
from cbtc.referrals.services import ReferralInput, referral_create


def _require(actor: User, client: Client) -> None:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, client.organisation):
        raise NotPermitted("Only the service that registered this client can record this.")
    if client.merged_into_id is not None:
        raise ServiceError("This record was merged into another: record it there.", field="client")


def pregnancy_record(*, actor: User, client: Client, expected_on: date, delivery_plan: str = "") -> Pregnancy:
    _require(actor, client)
    today = timezone.localdate()
    if not today - timedelta(days=30) <= expected_on <= today + timedelta(days=300):
        raise ServiceError("Give the expected date of delivery (within the next 10 months).", field="expected_on")
    if len(delivery_plan) > TEXT_MAX:
        raise ServiceError(f"Keep the delivery plan to {TEXT_MAX} characters.", field="delivery_plan")
    with transaction.atomic():
        pregnancy = Pregnancy.objects.create(
            client=client,
            organisation=client.organisation,
            expected_on=expected_on,
            delivery_plan=delivery_plan.strip(),
            recorded_by=actor,
        )
        timeline_add(
            client=client,
            organisation_id=client.organisation_id,
            kind="care.pregnancy",
            category=InformationCategory.EPISODES,
            summary=f"Pregnancy: expected {expected_on:%d %b %Y}",
            actor=actor,
            object_type="pregnancy",
            object_id=pregnancy.pk,
        )
        audit_record(
            actor=actor,
            action="care.pregnancy",
            object_type="pregnancy",
            object_id=pregnancy.pk,
            organisation_id=client.organisation_id,
            details={"client": str(client.pk)},
        )
    return pregnancy


def release_plan_record(
    *,
    actor: User,
    client: Client,
    release_on: date,
    sending_service: Service,
    continuity_service: Service,
    naloxone_given: bool,
    naloxone_training: bool,
    family_trained: bool = False,
) -> ReleasePlan:
    """Plan release from prison: the continuity referral is made now, before the release date."""
    _require(actor, client)
    today = timezone.localdate()
    if not today <= release_on <= today + timedelta(days=365):
        raise ServiceError("Give the release date, today or within the next year.", field="release_on")
    with transaction.atomic():
        referral = referral_create(
            actor=actor,
            client=client,
            data=ReferralInput(
                sending_service=sending_service,
                receiving_service=continuity_service,
                reason=ReferralReason.CONTINUITY,
                urgency=Urgency.SOON,
                source_type="care.release_plan",
            ),
        )
        plan = ReleasePlan.objects.create(
            client=client,
            organisation=client.organisation,
            release_on=release_on,
            continuity_referral=referral,
            naloxone_given=naloxone_given,
            naloxone_training=naloxone_training,
            family_trained=family_trained,
            recorded_by=actor,
        )
        naloxone = "naloxone given" if naloxone_given else "no naloxone yet"
        timeline_add(
            client=client,
            organisation_id=client.organisation_id,
            kind="care.release_plan",
            category=InformationCategory.EPISODES,
            summary=f"Release plan for {release_on:%d %b %Y}: continuity referral made, {naloxone}",
            actor=actor,
            object_type="release_plan",
            object_id=plan.pk,
        )
        audit_record(
            actor=actor,
            action="care.release_plan",
            object_type="release_plan",
            object_id=plan.pk,
            organisation_id=client.organisation_id,
            details={"client": str(client.pk), "referral": str(referral.pk)},
        )
    return plan
