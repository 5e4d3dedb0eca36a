"""Writes of referrals. ``referral_create`` is the one way a referral is made: pages, the API, the screening
recommendation and (later) care plans, discharges, incidents and release planning all call it.

The consent gate: a referral to another organisation that shares the client's information names a consent to
share in force that names the receiving organisation, for care coordination or treatment, and covers every
category shared. Without one the referral can still be made, anonymously: the receiving service gets the reason,
the urgency and a referral code the client carries, and nothing about the client. Nothing is ever shared
silently.

Each step runs in one transaction with its history entry, the client's timeline entry and an audit event, and is
checked against the state machine (states.py) first, so an illegal step changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import DISCLOSABLE_CATEGORIES, record_client_ids
from cbtc.consent.models import Consent, ConsentKind, Purpose, encode_categories
from cbtc.consent.rules import consent_in_force
from cbtc.consent.services import consent_end_with_referral
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Membership, Organisation, Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import (
    CODE_LENGTH,
    NOTE_MAX,
    CompletionOutcome,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralReason,
    ReferralState,
    Urgency,
)
from cbtc.referrals.states import FINAL, IllegalStep, Side, check_step
from cbtc.screening.level_of_care import placement_review_flag

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud and typed without mistakes
SHARING_PURPOSES = frozenset({Purpose.CARE_COORDINATION, Purpose.TREATMENT})
CLOCK_TOLERANCE = timedelta(minutes=5)
APPOINTMENT_HORIZON = timedelta(days=730)  # an appointment more than two years ahead is a typing mistake


@dataclass(frozen=True)
class ReferralInput:
    sending_service: Service
    receiving_service: Service
    reason: str
    urgency: str = Urgency.ROUTINE
    note: str = ""
    shared_categories: frozenset[str] = frozenset()
    consent: Consent | None = None
    appointment_at: datetime | None = None
    booked_with_client_present: bool = False
    accompaniment_requested: bool = False
    accompanied_by: User | None = None
    source_type: str = ""
    source_id: Any = None


def new_code() -> str:
    """A referral code such as R-7KQ4-MX3A: random, so it says nothing about the client."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"R-{raw[:4]}-{raw[4:]}"


def due_after(urgency: str, start: datetime) -> datetime:
    return start + timedelta(hours=settings.REFERRAL_DUE_HOURS[urgency])


def _require(actor: User, organisation_id: Any, message: str) -> None:
    organisation = Organisation(pk=organisation_id)
    if not user_has_permission_in(actor, Permission.REFERRAL_MANAGE, organisation):
        raise NotPermitted(message)


def _check_consent(client: Client, data: ReferralInput) -> None:
    """The consent gate (see the module docstring). Raises ServiceError naming the field at fault."""
    if not data.shared_categories:
        if data.consent is not None:
            raise ServiceError("Choose the information to share under this consent, or no consent.", field="consent")
        return
    unknown = data.shared_categories - DISCLOSABLE_CATEGORIES
    if unknown:
        raise ServiceError("Choose what to share from the list.", field="shared_categories")
    consent = data.consent
    if consent is None:
        raise ServiceError(
            "Sharing the client's information needs their consent to share with this service's organisation. "
            "Record it first, or make the referral anonymous.",
            field="consent",
        )
    now, today = timezone.now(), timezone.localdate()
    if (
        consent.kind != ConsentKind.DISCLOSURE
        or consent.client_id not in record_client_ids(client)
        or consent.organisation_id != client.organisation_id
    ):
        raise ServiceError("Choose a consent to share given by this client to your service.", field="consent")
    if not consent_in_force(
        given_at=consent.given_at,
        expires_on=consent.expires_on,
        expiry_event_at=consent.expiry_event_at,
        revoked_at=consent.revoked_at,
        at=now,
        today=today,
    ):
        raise ServiceError("This consent is not in force.", field="consent")
    if not consent.recipients.filter(pk=data.receiving_service.organisation_id).exists():
        raise ServiceError("This consent does not name the organisation you are referring to.", field="consent")
    if consent.purpose not in SHARING_PURPOSES:
        raise ServiceError("This consent is not for care coordination or treatment.", field="consent")
    if not data.shared_categories <= consent.category_set:
        raise ServiceError("The consent does not cover everything chosen to share.", field="shared_categories")


def _check_services(client: Client, data: ReferralInput) -> None:
    sending, receiving = data.sending_service, data.receiving_service
    if sending.organisation_id != client.organisation_id or not sending.is_active:
        raise ServiceError("Choose one of your organisation's services as the sender.", field="sending_service")
    if not receiving.is_active or not receiving.organisation.is_active:
        raise ServiceError("This service is closed in the directory: it takes no referrals.", field="receiving_service")
    if receiving.pk == sending.pk:
        raise ServiceError("Choose a service other than the one referring.", field="receiving_service")


def _check_details(client: Client, data: ReferralInput) -> None:
    if data.reason not in ReferralReason.values:
        raise ServiceError("Choose the reason from the list.", field="reason")
    if data.urgency not in Urgency.values:
        raise ServiceError("Choose the urgency from the list.", field="urgency")
    if len(data.note) > NOTE_MAX:
        raise ServiceError(f"Keep the note to {NOTE_MAX} characters.", field="note")
    if data.appointment_at is not None:
        if timezone.is_naive(data.appointment_at):
            raise ServiceError("Give the appointment time with its time zone.", field="appointment_at")
        _check_appointment(data.appointment_at)
    elif data.booked_with_client_present:
        raise ServiceError("Give the time of the appointment made with the client.", field="appointment_at")
    if data.accompanied_by is not None:
        if not data.accompaniment_requested:
            raise ServiceError("Tick accompaniment to name who goes with the client.", field="accompanied_by")
        if not Membership.objects.filter(
            user=data.accompanied_by, user__is_active=True, organisation_id=client.organisation_id
        ).exists():
            raise ServiceError("Choose someone from your organisation to go with the client.", field="accompanied_by")


def _check_appointment(appointment_at: datetime) -> None:
    now = timezone.now()
    if appointment_at < now - CLOCK_TOLERANCE:
        raise ServiceError("The appointment cannot be in the past.", field="appointment_at")
    if appointment_at > now + APPOINTMENT_HORIZON:
        raise ServiceError("Give an appointment within the next two years.", field="appointment_at")


def _check_input(actor: User, client: Client, data: ReferralInput) -> None:
    if client.merged_into_id is not None:
        raise ServiceError("This record was merged into another: refer from that one.", field="client")
    _require(actor, client.organisation_id, "Only the service that registered this client can refer them.")
    _check_services(client, data)
    _check_details(client, data)
    if data.receiving_service.organisation_id != client.organisation_id:
        _check_consent(client, data)
    elif data.shared_categories or data.consent is not None:
        raise ServiceError(
            "Within your organisation the record is shared already: leave the consent out.", field="consent"
        )


def _history(referral: Referral, state: str, organisation_id: Any, at: datetime) -> None:
    ReferralEvent.objects.create(referral=referral, state=state, organisation_id=organisation_id, occurred_at=at)


def _timeline(referral: Referral, actor: User | None, organisation_id: Any, summary: str, at: datetime) -> None:
    # A legal-aid referral tells of trouble with the law (an arrest, harassment): its entries are owner-only
    # (cbtc.clients.selectors.OWNER_ONLY_EVENT_PREFIXES), whatever another organisation's consent covers.
    private = "legal_aid." if referral.reason == ReferralReason.LEGAL_AID else ""
    timeline_add(
        client=referral.client,
        organisation_id=organisation_id,
        kind=f"referral.{private}{referral.state}",
        category=InformationCategory.REFERRALS,
        summary=summary,
        actor=actor,
        object_type="referral",
        object_id=referral.pk,
        occurred_at=at,
    )


def _audit(referral: Referral, actor: User | None, organisation_id: Any, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=f"referral.{referral.state}",
        object_type="referral",
        object_id=referral.pk,
        organisation_id=organisation_id,
        details={"client": str(referral.client_id), "state": referral.state, **details},
    )


def _sent_summary(referral: Referral) -> str:
    kind = "Anonymous referral" if referral.anonymous and not internal(referral) else "Referral"
    return (
        f"{kind} to {referral.receiving_service.name} ({referral.receiving_service.organisation.name}): "
        f"{ReferralReason(referral.reason).label.lower()}, {Urgency(referral.urgency).label.split(':')[0].lower()}"
    )


def internal(referral: Referral) -> bool:
    return referral.sending_organisation_id == referral.receiving_organisation_id


def _send(referral: Referral, actor: User, at: datetime) -> None:
    """Send, in the caller's transaction. Sending is the placement: one more intensive than the client's latest
    saved level-of-care recommendation is flagged for review (never refused), however the referral was made."""
    referral.state = ReferralState.SENT
    referral.sent_at = at
    referral.due_at = due_after(referral.urgency, at)
    referral.save(update_fields=["state", "sent_at", "due_at"])
    _history(referral, ReferralState.SENT, referral.sending_organisation_id, at)
    _timeline(referral, actor, referral.sending_organisation_id, _sent_summary(referral), at)
    _audit(referral, actor, referral.sending_organisation_id, service=str(referral.receiving_service_id))
    placement_review_flag(
        actor=actor,
        client=referral.client,
        service=referral.receiving_service,
        placed_by_object_type="referral",
        placed_by_object_id=referral.pk,
    )


def referral_create(*, actor: User, client: Client, data: ReferralInput, send: bool = True) -> Referral:
    """Make a referral (sent at once unless ``send`` is False), after the consent gate. A placement more
    intensive than the client's latest saved level-of-care recommendation is flagged for review, never refused."""
    _check_input(actor, client, data)
    now = timezone.now()
    code = new_code()
    while Referral.objects.filter(code=code).exists():  # one in 10^11 per referral; the column is unique too
        code = new_code()
    with transaction.atomic():
        referral = Referral.objects.create(
            client=client,
            sending_organisation_id=client.organisation_id,
            sending_service=data.sending_service,
            receiving_organisation_id=data.receiving_service.organisation_id,
            receiving_service=data.receiving_service,
            reason=data.reason,
            urgency=data.urgency,
            note=data.note.strip(),
            shared_categories=encode_categories(data.shared_categories),
            consent=data.consent,
            code=code,
            appointment_at=data.appointment_at,
            booked_with_client_present=data.booked_with_client_present,
            accompaniment_requested=data.accompaniment_requested,
            accompanied_by=data.accompanied_by,
            source_type=data.source_type,
            source_id=data.source_id,
            created_by=actor,
            created_at=now,
        )
        _history(referral, ReferralState.DRAFT, client.organisation_id, now)
        if not send:
            _audit(referral, actor, client.organisation_id, service=str(data.receiving_service.pk))
            return referral
        _send(referral, actor, now)
    return referral


def _locked(referral: Referral) -> Referral:
    # Lock the referral row only: PostgreSQL cannot lock the nullable side of the outer join to the consent.
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client", "receiving_service__organisation", "consent")
        .get(pk=referral.pk)
    )


def _step(actor: User | None, referral: Referral, target: str, side: Side, **changes: Any) -> Referral:
    """Move the referral to ``target`` if the state machine and the actor's organisation allow it."""
    organisation_id = referral.receiving_organisation_id if side == "receiver" else referral.sending_organisation_id
    if actor is not None:
        who = "the receiving service" if side == "receiver" else "the referring service"
        _require(actor, organisation_id, f"Only {who} can do this.")
    with transaction.atomic():
        locked = _locked(referral)
        try:
            check_step(locked.state, target, side)
        except IllegalStep as error:
            raise ServiceError(error.message, field="state") from None
        now = timezone.now()
        locked.state = target
        for name, value in changes.items():
            setattr(locked, name, value)
        if target in FINAL:
            locked.closed_at = now
            locked.due_at = None
        locked.save()
        _history(locked, target, organisation_id if side != "system" else None, now)
        label = ReferralState(target).label.lower()
        summary = f"Referral to {locked.receiving_service.name}: {label}"
        if target == ReferralState.DECLINED:
            summary += f" ({DeclineReason(locked.decline_reason).label.lower()})"
        _timeline(locked, actor, organisation_id, summary, now)
        _audit(locked, actor, organisation_id)
        # A consent that ends with its referral ends when a sent referral closes (a draft never shared anything).
        if target in FINAL and locked.consent is not None and locked.sent_at is not None:
            consent_end_with_referral(actor=actor, consent=locked.consent, referral_id=locked.pk)
    return locked


def referral_send(*, actor: User, referral: Referral) -> Referral:
    """Send a draft. The consent gate is checked again: a consent may have ended since the draft was made."""
    _require(actor, referral.sending_organisation_id, "Only the referring service can send this.")
    data = ReferralInput(
        sending_service=referral.sending_service,
        receiving_service=referral.receiving_service,
        reason=referral.reason,
        urgency=referral.urgency,
        note=referral.note,
        shared_categories=referral.category_set,
        consent=referral.consent,
        appointment_at=referral.appointment_at,
        booked_with_client_present=referral.booked_with_client_present,
        accompaniment_requested=referral.accompaniment_requested,
        accompanied_by=referral.accompanied_by,
    )
    _check_input(actor, referral.client, data)
    with transaction.atomic():
        locked = _locked(referral)
        try:
            check_step(locked.state, ReferralState.SENT, "sender")
        except IllegalStep as error:
            raise ServiceError(error.message, field="state") from None
        _send(locked, actor, timezone.now())
    return locked


def referral_accept(*, actor: User, referral: Referral, appointment_at: datetime | None = None) -> Referral:
    now = timezone.now()
    appointment = appointment_at or referral.appointment_at
    if appointment_at is not None:
        if timezone.is_naive(appointment_at):
            raise ServiceError("Give the appointment time with its time zone.", field="appointment_at")
        _check_appointment(appointment_at)
    grace = timedelta(hours=settings.REFERRAL_ATTEND_GRACE_HOURS)
    due = appointment + grace if appointment is not None else due_after(referral.urgency, now)
    return _step(
        actor, referral, ReferralState.ACCEPTED, "receiver", answered_at=now, appointment_at=appointment, due_at=due
    )


def referral_decline(
    *, actor: User, referral: Referral, reason: str, suggested_service: Service | None = None
) -> Referral:
    if reason not in DeclineReason.values:
        raise ServiceError("Say why, from the list.", field="decline_reason")
    if suggested_service is not None and (
        suggested_service.pk == referral.receiving_service_id
        or not suggested_service.is_active
        or not suggested_service.organisation.is_active
    ):
        raise ServiceError("Suggest another service that is open.", field="suggested_service")
    return _step(
        actor,
        referral,
        ReferralState.DECLINED,
        "receiver",
        answered_at=timezone.now(),
        decline_reason=reason,
        suggested_service=suggested_service,
    )


def referral_attended(*, actor: User, referral: Referral) -> Referral:
    return _step(actor, referral, ReferralState.ATTENDED, "receiver", attended_at=timezone.now(), due_at=None)


def referral_no_show(*, actor: User, referral: Referral) -> Referral:
    return _step(actor, referral, ReferralState.NO_SHOW, "receiver")


def referral_complete(*, actor: User, referral: Referral, outcome: str) -> Referral:
    if outcome not in CompletionOutcome.values:
        raise ServiceError("Say what happened, from the list.", field="completion_outcome")
    return _step(actor, referral, ReferralState.COMPLETED, "receiver", completion_outcome=outcome)


def referral_cancel(*, actor: User, referral: Referral) -> Referral:
    return _step(actor, referral, ReferralState.CANCELLED, "sender")


def referrals_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Expire open referrals whose next step fell due more than REFERRAL_EXPIRE_DAYS ago (run daily by
    `cbtc referrals_expire`). In batches, so one run never holds many locks. Returns how many expired."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REFERRAL_EXPIRE_DAYS)
    expired = 0
    while True:
        stale = list(
            Referral.objects.filter(state__in=[ReferralState.SENT, ReferralState.ACCEPTED], due_at__lt=cutoff).order_by(
                "due_at"
            )[:batch]
        )
        for referral in stale:
            try:
                _step(None, referral, ReferralState.EXPIRED, "system")
            except ServiceError:  # answered while this run was going: it is no longer waiting, so not expired
                continue
            expired += 1
        if len(stale) < batch:
            return expired
