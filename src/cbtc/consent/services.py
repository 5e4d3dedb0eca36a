"""Recording consents and their withdrawal. The decision of what a consent allows is in disclosure.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import DISCLOSABLE_CATEGORIES, person_client_ids, record_client_ids
from cbtc.consent.models import (
    Consent,
    ConsentKind,
    ConsentMethod,
    ExpiryEvent,
    Purpose,
    encode_categories,
)
from cbtc.consent.rules import MinorRuleError, age_basis_for_consent, age_status, consent_in_force
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Membership, Organisation, User
from cbtc.network.roles import Permission

# The text shown to the client (docs/consent-form.md): which version is recorded with each consent.
FORM_VERSION = "2026-11b"  # 2026-11 plus part C, progress reports to a court
_LATEST_BACKDATING = timedelta(days=30)  # a paper form signed in the field may be entered later, not much later
_MAX_YEARS_AHEAD = 10
_MAX_RECIPIENTS = 20


@dataclass(frozen=True)
class ConsentInput:
    kind: str
    method: str
    given_at: datetime
    witnessed_by: User
    recipients: list[Organisation] = field(default_factory=list)
    categories: frozenset[str] = field(default_factory=frozenset)
    purpose: str = ""
    ethics_approval_reference: str = ""
    expires_on: date | None = None
    expiry_event: str = ""
    guardian_relationship: str = ""
    client_states_adult: bool = False
    external_recipient: str = ""  # a court report: the court or probation office, in words


def _require_in(actor: User, permission: Permission, organisation_id: Any) -> None:
    if not user_has_permission_in(actor, permission, Organisation(pk=organisation_id)):
        raise NotPermitted("Your role in this organisation does not include this.")


def _check_common(data: ConsentInput, organisation_id: Any) -> None:
    now = timezone.now()
    if data.kind not in ConsentKind.values:
        raise ServiceError("Choose what the consent is for.", field="kind")
    if data.method not in ConsentMethod.values:
        raise ServiceError("Say how the consent was given: written, verbal or electronic.", field="method")
    if data.given_at > now + timedelta(minutes=5):
        raise ServiceError("The consent cannot be given in the future.", field="given_at")
    if data.given_at < now - _LATEST_BACKDATING:
        raise ServiceError(
            "Consents given more than 30 days ago cannot be entered; ask the client again.", field="given_at"
        )
    witness_in_organisation = Membership.objects.filter(
        user=data.witnessed_by, organisation_id=organisation_id, user__is_active=True
    ).exists()
    if not witness_in_organisation:
        raise ServiceError("The witness must be an active staff member of this organisation.", field="witnessed_by")


def _check_disclosure(data: ConsentInput, organisation_id: Any) -> None:
    if not data.recipients:
        raise ServiceError("Name at least one organisation that may receive the information.", field="recipients")
    if len(data.recipients) > _MAX_RECIPIENTS:
        raise ServiceError(f"Name at most {_MAX_RECIPIENTS} recipient organisations.", field="recipients")
    if any(str(org.pk) == str(organisation_id) for org in data.recipients):
        raise ServiceError("The disclosing organisation cannot also be a recipient.", field="recipients")
    if not data.categories:
        raise ServiceError("Choose what information may be shared.", field="categories")
    if not data.categories <= DISCLOSABLE_CATEGORIES:
        raise ServiceError("Choose information categories from the list.", field="categories")
    if data.purpose not in Purpose.values:
        # The list is closed on purpose: only the four purposes of Purpose exist (docs/confidentiality.md).
        raise ServiceError("Choose a purpose from the list.", field="purpose")
    reference = data.ethics_approval_reference.strip()
    if data.purpose == Purpose.RESEARCH and not reference:
        raise ServiceError(
            "Research needs the ethics committee's approval reference.", field="ethics_approval_reference"
        )
    if len(reference) > 100:  # noqa: PLR2004  # column width
        raise ServiceError("Use at most 100 characters.", field="ethics_approval_reference")
    _check_expiry(data)


# The name the court knows the client by, and how they take part in care: nothing else (decision 013).
COURT_REPORT_CATEGORIES = frozenset({InformationCategory.IDENTITY.value, InformationCategory.EPISODES.value})
_EXTERNAL_RECIPIENT_MAX = 200


def _check_court_report(data: ConsentInput) -> None:
    """A court report consent names one court or probation office, in words, and covers only whether the client
    takes part in care: never results, notes or anything else (decision 013)."""
    court = data.external_recipient.strip()
    if not court:
        raise ServiceError(
            "Name the court or probation office that may receive the progress reports.", field="external_recipient"
        )
    if len(court) > _EXTERNAL_RECIPIENT_MAX:
        raise ServiceError(f"Use at most {_EXTERNAL_RECIPIENT_MAX} characters.", field="external_recipient")
    if data.recipients or data.purpose or (data.categories and data.categories != COURT_REPORT_CATEGORIES):
        raise ServiceError(
            "A progress report to a court says only how the client takes part in care: it names no organisation, "
            "purpose or other information to share.",
            field="kind",
        )
    if data.expiry_event == ExpiryEvent.REFERRAL_CLOSED:
        raise ServiceError(
            "A consent to court reports ends on a date or when treatment here ends.", field="expiry_event"
        )
    _check_expiry(data)


def _check_expiry(data: ConsentInput) -> None:
    if data.expires_on is None and not data.expiry_event:
        raise ServiceError(
            "Give an end date or an ending event: a consent to share never lasts for ever.", field="expires_on"
        )
    if data.expiry_event and data.expiry_event not in ExpiryEvent.values:
        raise ServiceError("Choose the ending event from the list.", field="expiry_event")
    today = timezone.localdate()
    if data.expires_on is not None:
        if data.expires_on < today:
            raise ServiceError("The end date has already passed.", field="expires_on")
        try:
            latest = today.replace(year=today.year + _MAX_YEARS_AHEAD)
        except ValueError:  # 29 February ten years on may not exist: the 28th is then the last day allowed
            latest = today.replace(year=today.year + _MAX_YEARS_AHEAD, day=28)
        if data.expires_on > latest:
            raise ServiceError(f"Choose an end date within {_MAX_YEARS_AHEAD} years.", field="expires_on")


def consent_record(*, actor: User, client: Client, organisation: Organisation, data: ConsentInput) -> Consent:
    """Record a consent the client gave to ``organisation`` (treatment) or for ``organisation`` to share
    (disclosure). The client must be registered by that organisation."""
    _require_in(actor, Permission.CONSENT_MANAGE, organisation.pk)
    if client.organisation_id != organisation.pk:
        raise NotPermitted("Consents are recorded by the organisation that registered the client.")
    _check_common(data, organisation.pk)
    if data.kind != ConsentKind.COURT_REPORT and data.external_recipient.strip():
        raise ServiceError("Only a consent to progress reports to a court names a court.", field="external_recipient")
    if data.kind == ConsentKind.DISCLOSURE:
        _check_disclosure(data, organisation.pk)
    elif data.kind == ConsentKind.COURT_REPORT:
        _check_court_report(data)
    status = age_status(
        birth_year=client.birth_year,
        birth_month=client.birth_month,
        today=timezone.localdate(),
        minor_age=settings.MINOR_AGE,
    )
    try:
        basis = age_basis_for_consent(
            status=status,
            minors_consent_alone=settings.MINORS_CONSENT_ALONE,
            minor_age=settings.MINOR_AGE,
            guardian_relationship=data.guardian_relationship,
            client_states_adult=data.client_states_adult,
        )
    except MinorRuleError as exc:
        raise ServiceError(exc.message, field=exc.field) from exc
    disclosure = data.kind == ConsentKind.DISCLOSURE
    court = data.kind == ConsentKind.COURT_REPORT
    with transaction.atomic():
        consent = Consent.objects.create(
            kind=data.kind,
            client=client,
            organisation=organisation,
            external_recipient=data.external_recipient.strip() if court else "",
            categories=encode_categories(COURT_REPORT_CATEGORIES if court else data.categories)
            if disclosure or court
            else "",
            purpose=data.purpose if disclosure else "",
            ethics_approval_reference=data.ethics_approval_reference.strip() if disclosure else "",
            expires_on=data.expires_on if disclosure or court else None,
            expiry_event=data.expiry_event if disclosure or court else "",
            method=data.method,
            given_at=data.given_at,
            witnessed_by=data.witnessed_by,
            recorded_by=actor,
            form_version=FORM_VERSION,
            age_basis=basis,
            guardian_relationship=data.guardian_relationship,
        )
        if disclosure:
            consent.recipients.set(data.recipients)
        summary = {
            ConsentKind.TREATMENT: "Consent to treatment given",
            ConsentKind.COURT_REPORT: "Consent to progress reports to a court given",
        }.get(ConsentKind(data.kind)) or "Consent to share given: " + Purpose(data.purpose).label.lower()
        timeline_add(
            client=client,
            organisation_id=organisation.pk,
            kind="consent.given",
            category=InformationCategory.CONSENTS,
            summary=summary,
            actor=actor,
            object_type="consent",
            object_id=consent.pk,
            occurred_at=data.given_at,
        )
        audit_record(
            actor=actor,
            action="consent.record",
            object_type="consent",
            object_id=consent.pk,
            organisation_id=organisation.pk,
            details={
                "client": str(client.pk),
                "kind": data.kind,
                "purpose": data.purpose,
                "recipients": len(data.recipients) if disclosure else 0,
                "age_basis": str(basis),
            },
        )
    return consent


@transaction.atomic
def consent_revoke(*, actor: User, consent: Consent, method: str) -> Consent:
    """Withdraw a consent. It stops allowing anything at once; past disclosures stay in the accounting."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    _require_in(actor, Permission.CONSENT_MANAGE, consent.organisation_id)
    if method not in ConsentMethod.values:
        raise ServiceError("Say how the client withdrew the consent.", field="method")
    if consent.revoked_at is not None:
        raise ServiceError("This consent was already withdrawn.")
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.revocation_method = method
    consent.save(update_fields=["revoked_at", "revoked_by", "revocation_method"])
    timeline_add(
        client=consent.client,
        organisation_id=consent.organisation_id,
        kind="consent.withdrawn",
        category=InformationCategory.CONSENTS,
        summary={
            ConsentKind.TREATMENT: "Consent to treatment withdrawn",
            ConsentKind.COURT_REPORT: "Consent to progress reports to a court withdrawn",
        }.get(ConsentKind(consent.kind), "Consent to share withdrawn"),
        actor=actor,
        object_type="consent",
        object_id=consent.pk,
    )
    audit_record(
        actor=actor,
        action="consent.revoke",
        object_type="consent",
        object_id=consent.pk,
        organisation_id=consent.organisation_id,
        details={"client": str(consent.client_id), "method": method},
    )
    return consent


@transaction.atomic
def consent_expiry_event_occurred(*, actor: User, client: Client, organisation: Organisation, event: str) -> int:
    """The ending event of consents to share happened (e.g. treatment ended): those consents end now.
    Returns how many ended. Staff who manage consents may record it by hand."""
    _require_in(actor, Permission.CONSENT_MANAGE, organisation.pk)
    if event not in ExpiryEvent.values:
        raise ServiceError("Choose the ending event from the list.", field="event")
    return _end_by_event(actor=actor, client=client, organisation_id=organisation.pk, event=event)


def consents_end_with_treatment(*, actor: User, client: Client, organisation_id: Any) -> int:
    """Treatment at ``organisation_id`` has ended (its last open episode of care closed): consents to share
    that last "until treatment here ends" end now. A consequence of the discharge, which a clinician without
    the consent permission may record, so no consent permission is asked. Returns how many ended."""
    with transaction.atomic():
        return _end_by_event(
            actor=actor, client=client, organisation_id=organisation_id, event=ExpiryEvent.END_OF_TREATMENT
        )


def _end_by_event(*, actor: User, client: Client, organisation_id: Any, event: str) -> int:
    ending = Consent.objects.select_for_update().filter(
        client_id__in=person_client_ids(client),
        organisation_id=organisation_id,
        kind__in=(ConsentKind.DISCLOSURE, ConsentKind.COURT_REPORT),
        expiry_event=event,
        expiry_event_at__isnull=True,
        revoked_at__isnull=True,
    )
    rows = list(ending.values_list("pk", "kind"))
    now = timezone.now()
    Consent.objects.filter(pk__in=[pk for pk, _ in rows]).update(expiry_event_at=now)
    for consent_id, kind in rows:
        _record_ended(actor, client, organisation_id, (consent_id, kind), event)
    return len(rows)


def _record_ended(
    actor: User | None, client: Client, organisation_id: Any, consent: tuple[Any, str], event: str, **details: str
) -> None:
    """The timeline entry and audit event of a consent that ended with its ending event."""
    consent_id, kind = consent
    what = "Consent to progress reports to a court" if kind == ConsentKind.COURT_REPORT else "Consent to share"
    timeline_add(
        client=client,
        organisation_id=organisation_id,
        kind="consent.ended",
        category=InformationCategory.CONSENTS,
        summary=f"{what} ended: " + ExpiryEvent(event).label.lower(),
        actor=actor,
        object_type="consent",
        object_id=consent_id,
    )
    audit_record(
        actor=actor,
        action="consent.expiry_event",
        object_type="consent",
        object_id=consent_id,
        organisation_id=organisation_id,
        details={"client": str(client.pk), "event": event, **details},
    )


def treatment_consent_in_force(*, client: Client, organisation_id: Any) -> bool:
    """Whether the client's informed consent to treatment by this organisation is in force. Later parts of
    the system (screening, care, OAT) check this before any intervention."""
    now, today = timezone.now(), timezone.localdate()
    consents: Iterable[Consent] = Consent.objects.filter(
        client_id__in=record_client_ids(client), organisation_id=organisation_id, kind=ConsentKind.TREATMENT
    ).only("given_at", "revoked_at", "expires_on", "expiry_event_at")
    return any(
        consent_in_force(
            given_at=consent.given_at,
            expires_on=consent.expires_on,
            expiry_event_at=consent.expiry_event_at,
            revoked_at=consent.revoked_at,
            at=now,
            today=today,
        )
        for consent in consents
    )


def consent_end_with_referral(*, actor: User | None, consent: Consent, referral_id: Any) -> bool:
    """The referral a consent to share was given for is closed: if the consent ends with its referral, it ends
    now. A consequence of closing the referral, which either service may do, so no consent permission is
    asked. Returns whether it ended."""
    with transaction.atomic():
        locked = Consent.objects.select_for_update().filter(pk=consent.pk).first()
        if (
            locked is None
            or locked.expiry_event != ExpiryEvent.REFERRAL_CLOSED
            or locked.expiry_event_at is not None
            or locked.revoked_at is not None
        ):
            return False
        locked.expiry_event_at = timezone.now()
        locked.save(update_fields=["expiry_event_at"])
        _record_ended(
            actor,
            locked.client,
            locked.organisation_id,
            (locked.pk, locked.kind),
            ExpiryEvent.REFERRAL_CLOSED,
            referral=str(referral_id),
        )
    return True
