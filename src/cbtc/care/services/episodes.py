"""Episodes of care: opening one, moving it between planned, waiting, active and on hold, reviewing it, and ending
it. Admission (becoming active) needs the client's consent to treatment at the service's organisation. An episode
has no maximum length: reviews move a reminder date and never end anything. An involuntary discharge needs the
safety reason, the measures tried first, a review by a colleague, and makes a contingency referral so the client
is not left without care. Coming back is never refused: a client may open a new episode at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import DischargeReason, Episode, EpisodeStatus, EpisodeStatusChange, Modality, ReferralSource
from cbtc.care.models.episodes import TEXT_MAX
from cbtc.care.young_people import adult_setting_needs_reason, is_young_person
from cbtc.clients.models import Client, ClientEvent, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import person_client_ids, record_client_ids
from cbtc.consent.services import consents_end_with_treatment, treatment_consent_in_force
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Membership, Organisation, Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import Referral, ReferralReason, Urgency
from cbtc.referrals.services import ReferralInput, referral_create
from cbtc.screening.level_of_care import placement_review_flag

OPENING_STATUSES = frozenset({EpisodeStatus.PLANNED, EpisodeStatus.WAITING, EpisodeStatus.ACTIVE})
NO_TREATMENT_CONSENT = "The client's consent to treatment by this organisation is not in force: record it first."


@dataclass(frozen=True)
class EpisodeInput:
    service: Service
    modality: str
    referral_source: str
    status: str = EpisodeStatus.ACTIVE
    referral: Referral | None = None
    adult_setting_reason: str = ""  # a young person in residential or inpatient care for adults: why


@dataclass(frozen=True)
class InvoluntaryDischarge:
    """What an involuntary discharge must document, and where the client is referred so care goes on."""

    safety_reason: str
    measures_tried: str
    reviewed_by: User
    contingency_service: Service


def _require(actor: User, organisation: Organisation) -> None:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, organisation):
        raise NotPermitted("Your role in this organisation does not include episodes of care.")


def _review_date(today: date) -> date:
    return today + timedelta(days=settings.EPISODE_REVIEW_DAYS)


def _record(
    episode: Episode,
    actor: User,
    status: str,
    kind: str,
    summary: str,
    *,
    at: datetime,
    status_changed: bool = True,
    **details: Any,
) -> None:
    if status_changed:  # a review keeps the status: it is on the timeline, not in the status history
        EpisodeStatusChange.objects.create(episode=episode, status=status, changed_at=at, changed_by=actor)
    timeline_add(
        client=episode.client,
        organisation_id=episode.organisation_id,
        kind=kind,
        category=InformationCategory.EPISODES,
        summary=summary,
        actor=actor,
        object_type="episode",
        object_id=episode.pk,
        occurred_at=at,
    )
    audit_record(
        actor=actor,
        action=kind,
        object_type="episode",
        object_id=episode.pk,
        organisation_id=episode.organisation_id,
        details={"client": str(episode.client_id), "status": status, **details},
    )


def _admit(episode: Episode, at: datetime, actor: User) -> None:
    """Admission. The first admission is a placement: one more intensive than the client's latest saved
    level-of-care recommendation is flagged for review (never refused)."""
    if not treatment_consent_in_force(client=episode.client, organisation_id=episode.organisation_id):
        raise ServiceError(NO_TREATMENT_CONSENT, field="status")
    if episode.admitted_at is None:
        episode.admitted_at = at
        placement_review_flag(
            actor=actor,
            client=episode.client,
            service=episode.service,
            placed_by_object_type="episode",
            placed_by_object_id=episode.pk,
        )
    if episode.next_review_on is None:
        episode.next_review_on = _review_date(timezone.localdate(at))


def _adult_setting_reason(client: Client, data: EpisodeInput) -> str:
    """A young person going where they would live alongside adult clients: the reason, required (never a
    refusal of care). Otherwise nothing is kept."""
    young = is_young_person(
        birth_year=client.birth_year,
        birth_month=client.birth_month,
        today=timezone.localdate(),
        minor_age=settings.MINOR_AGE,
    )
    needs_reason = adult_setting_needs_reason(
        young=young,
        modality=data.modality,
        service_min_age=data.service.min_age,
        service_max_age=data.service.max_age,
        minor_age=settings.MINOR_AGE,
    )
    if not needs_reason:
        return ""
    reason = data.adult_setting_reason.strip()
    if not reason or len(reason) > TEXT_MAX:
        raise ServiceError(
            "The client may be under age and this service also takes adults: say why a setting for young people "
            f"is not possible now (up to {TEXT_MAX} characters).",
            field="adult_setting_reason",
        )
    return reason


def episode_open(*, actor: User, client: Client, data: EpisodeInput) -> Episode:
    organisation = client.organisation
    _require(actor, organisation)
    if client.merged_into_id is not None:
        raise ServiceError("This record was merged into another: open the episode there.", field="client")
    if data.service.organisation_id != organisation.pk or not data.service.is_active:
        raise ServiceError("Choose one of your organisation's open services.", field="service")
    if data.modality not in Modality.values:
        raise ServiceError("Choose the kind of care from the list.", field="modality")
    if data.referral_source not in ReferralSource.values:
        raise ServiceError("Choose who referred the client from the list.", field="referral_source")
    if data.status not in OPENING_STATUSES:
        raise ServiceError("An episode starts planned, waiting or active.", field="status")
    if data.referral is not None and data.referral.receiving_organisation_id != organisation.pk:
        raise ServiceError("Choose a referral made to your organisation.", field="referral")
    adult_setting_reason = _adult_setting_reason(client, data)
    now = timezone.now()
    with transaction.atomic():
        episode = Episode(
            client=client,
            organisation=organisation,
            service=data.service,
            modality=data.modality,
            referral_source=data.referral_source,
            referral=data.referral,
            status=data.status,
            opened_by=actor,
            opened_at=now,
            adult_setting_reason=adult_setting_reason,
        )
        if data.status == EpisodeStatus.ACTIVE:
            _admit(episode, now, actor)
        episode.save()
        label = Modality(data.modality).label
        _record(
            episode,
            actor,
            data.status,
            "care.episode_opened",
            f"Episode opened: {label} ({episode.get_status_display().lower()})",
            at=now,
        )
    return episode


def _locked(episode: Episode) -> Episode:
    return Episode.objects.select_for_update(of=("self",)).select_related("client", "organisation").get(pk=episode.pk)


def episode_set_status(*, actor: User, episode: Episode, status: str) -> Episode:
    """Planned, waiting, active or on hold. Ending an episode is episode_discharge."""
    _require(actor, episode.organisation)
    if status not in EpisodeStatus.values or status == EpisodeStatus.FINISHED:
        raise ServiceError(
            "Choose planned, waiting, active or on hold; end an episode with a discharge.", field="status"
        )
    with transaction.atomic():
        locked = _locked(episode)
        if locked.status == EpisodeStatus.FINISHED:
            raise ServiceError(
                "This episode has ended. Open a new one: coming back is always possible.", field="status"
            )
        if locked.status == status:
            return locked
        now = timezone.now()
        if status == EpisodeStatus.ACTIVE:
            _admit(locked, now, actor)
        locked.status = status
        locked.save()
        _record(locked, actor, status, "care.episode_status", f"Episode {EpisodeStatus(status).label.lower()}", at=now)
    return locked


def episode_review(*, actor: User, episode: Episode, next_review_on: date | None = None) -> Episode:
    """Record that the episode was reviewed and set the next reminder. It never ends or limits the episode."""
    _require(actor, episode.organisation)
    today = timezone.localdate()
    if next_review_on is not None and not today < next_review_on <= today + timedelta(days=730):
        raise ServiceError("Give a review date within the next two years.", field="next_review_on")
    with transaction.atomic():
        locked = _locked(episode)
        if locked.status == EpisodeStatus.FINISHED:
            raise ServiceError("This episode has ended.", field="status")
        locked.next_review_on = next_review_on or _review_date(today)
        locked.save(update_fields=["next_review_on"])
        now = timezone.now()
        summary = f"Episode reviewed; next review by {locked.next_review_on:%d %b %Y}"
        _record(locked, actor, locked.status, "care.episode_reviewed", summary, at=now, status_changed=False)
    return locked


def last_contact(client: Client, organisation_id: Any) -> datetime | None:
    """The latest thing this organisation recorded about the client (any timeline entry of its own)."""
    latest: datetime | None = ClientEvent.objects.filter(
        client_id__in=record_client_ids(client), organisation_id=organisation_id
    ).aggregate(latest=Max("occurred_at"))["latest"]
    return latest


def _check_involuntary(episode: Episode, details: InvoluntaryDischarge | None, actor: User) -> InvoluntaryDischarge:
    if details is None:
        raise ServiceError(
            "An involuntary discharge needs its safety reason, measures tried and review.", field="safety_reason"
        )
    for name in ("safety_reason", "measures_tried"):
        text = getattr(details, name).strip()
        if not text or len(text) > TEXT_MAX:
            raise ServiceError(f"Describe this (up to {TEXT_MAX} characters).", field=name)
    reviewer = details.reviewed_by
    if (
        reviewer.pk == actor.pk
        or not reviewer.is_active
        or not Membership.objects.filter(user=reviewer, organisation_id=episode.organisation_id).exists()
    ):
        raise ServiceError(
            "A colleague at your organisation, not you, reviews an involuntary discharge.", field="reviewed_by"
        )
    return details


def episode_discharge(
    *, actor: User, episode: Episode, reason: str, involuntary: InvoluntaryDischarge | None = None
) -> Episode:
    """End an episode. Lost to follow-up needs EPISODE_LOST_AFTER_DAYS without contact; an involuntary discharge
    needs its documentation and makes an urgent contingency referral (the client keeps a way into care). When it
    was the client's last open episode here, consents to share "until treatment here ends" end with it."""
    _require(actor, episode.organisation)
    if reason not in DischargeReason.values:
        raise ServiceError("Choose how the episode ended from the list.", field="discharge_reason")
    with transaction.atomic():
        locked = _locked(episode)
        if locked.status == EpisodeStatus.FINISHED:
            raise ServiceError("This episode has already ended.", field="status")
        now = timezone.now()
        if reason == DischargeReason.LOST_TO_FOLLOW_UP:
            days = settings.EPISODE_LOST_AFTER_DAYS
            latest = last_contact(locked.client, locked.organisation_id)
            if latest is not None and latest > now - timedelta(days=days):
                raise ServiceError(
                    f"The client was in contact on {timezone.localtime(latest):%d %b %Y}: lost to follow-up needs "
                    f"{days} days without contact.",
                    field="discharge_reason",
                )
        if reason == DischargeReason.INVOLUNTARY_FOR_SAFETY:
            checked = _check_involuntary(locked, involuntary, actor)
            locked.safety_reason = checked.safety_reason.strip()
            locked.measures_tried = checked.measures_tried.strip()
            locked.reviewed_by = checked.reviewed_by
            locked.contingency_referral = referral_create(
                actor=actor,
                client=locked.client,
                data=ReferralInput(
                    sending_service=locked.service,
                    receiving_service=checked.contingency_service,
                    reason=ReferralReason.CONTINGENCY,
                    urgency=Urgency.URGENT,
                    source_type="care.involuntary_discharge",
                    source_id=locked.pk,
                ),
            )
        locked.status = EpisodeStatus.FINISHED
        locked.finished_at = now
        locked.discharge_reason = reason
        locked.next_review_on = None
        locked.save()
        summary = f"Episode ended: {DischargeReason(reason).label.lower()}"
        _record(locked, actor, EpisodeStatus.FINISHED, "care.episode_ended", summary, at=now, reason=reason)
        still_in_care = (
            Episode.objects.filter(
                client_id__in=person_client_ids(locked.client), organisation_id=locked.organisation_id
            )
            .exclude(status=EpisodeStatus.FINISHED)
            .exists()
        )
        if not still_in_care:  # treatment here has ended: so do the consents given "until treatment here ends"
            consents_end_with_treatment(actor=actor, client=locked.client, organisation_id=locked.organisation_id)
    return locked
