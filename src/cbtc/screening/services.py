"""Writes of screening: recording an assessment (answers scored by the engine, result frozen) and a brief
intervention.

Each service takes the acting user, checks SCREENING_PERFORM in the organisation that registered the client
(recipients of a consent to share never record), needs the client's treatment consent at that organisation
in force, runs in one transaction with its timeline entry and audit event. Audit details carry opaque ids
and codes of instruments only, never answers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import record_client_ids
from cbtc.consent.services import treatment_consent_in_force
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Permission
from cbtc.screening.instruments import (
    Instrument,
    InstrumentDefinitionError,
    ScreeningError,
    get_instrument,
    load_wording,
    score,
)
from cbtc.screening.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    Administration,
    Assessment,
    BriefIntervention,
    BriefInterventionKind,
    TakeHomeMaterial,
)

# A device's clock may run a little ahead of the server's.
CLOCK_TOLERANCE = timedelta(minutes=5)
NO_TREATMENT_CONSENT = "The client's consent to treatment by this service is not in force: record it first."
RISK_ORDER = ("high", "moderate", "lower")


def check_can_act(actor: User, client: Client, organisation: Organisation) -> None:
    if client.organisation_id != organisation.pk or not user_has_permission_in(
        actor, Permission.SCREENING_PERFORM, organisation
    ):
        raise NotPermitted("Only the service that registered this client can do this.")
    if client.merged_into_id is not None:
        raise ServiceError("This record was merged into another: record this on that one.", field="client")
    if not treatment_consent_in_force(client=client, organisation_id=organisation.pk):
        raise ServiceError(NO_TREATMENT_CONSENT, field="client")


def _moment(value: datetime | None, field: str) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise ServiceError("Give the time with its time zone.", field=field)
    if value > now + CLOCK_TOLERANCE:
        raise ServiceError("This cannot be in the future.", field=field)
    return value


def _short_label(label: str) -> str:
    return label.split(" (", maxsplit=1)[0].lower()


def assessment_summary(instrument: Instrument, result: dict[str, Any]) -> str:
    """A generated line for the timeline, e.g. "WHO ASSIST v3.1: high risk for opioids"."""
    try:
        wording = load_wording(instrument)
    except InstrumentDefinitionError:  # wording that no longer fits the definition: codes rather than labels
        wording = {}
    title = str(wording.get("title") or instrument.name)
    # Titles such as "WHO ASSIST v3.1" or "CRAFFT 2.1" already carry the version.
    head = title if instrument.version in title else f"{title} v{instrument.version}"
    if instrument.engine == "assist":
        names = wording.get("substances", {})
        substances: dict[str, dict[str, Any]] = result["substances"]
        for risk in RISK_ORDER:
            found = [letter for letter, row in sorted(substances.items()) if row["risk"] == risk]
            if found and risk != "lower":
                listed = ", ".join(_short_label(str(names.get(letter, letter))) for letter in found)
                return f"{head}: {risk} risk for {listed}"
        return f"{head}: lower risk for every substance"
    parts = [f"score {result['score']} of {result['max_score']}"]
    band = result.get("band")
    if band:
        parts.append(str(wording.get("bands", {}).get(band, band)))
    if result.get("positive") is not None:
        parts.append("positive screen" if result["positive"] else "negative screen")
    return f"{head}: {', '.join(parts)}"


def assessment_record(
    *,
    actor: User,
    client: Client,
    organisation: Organisation,
    instrument: str,
    answers: Any,
    administration: str,
    performed_at: datetime | None = None,
) -> Assessment:
    """Score the answers with the engine and record the result as scored now. Refused answers raise
    ServiceError naming the answer at fault (``answers.q2.c``); nothing is stored."""
    check_can_act(actor, client, organisation)
    if administration not in Administration.values:
        raise ServiceError(
            "Say whether an interviewer administered it or the client completed it.", field="administration"
        )
    moment = _moment(performed_at, "performed_at")
    try:
        definition = get_instrument(instrument)
    except ScreeningError as error:
        raise ServiceError(error.message, field="instrument") from None
    try:
        result = score(definition, answers)
    except ScreeningError as error:
        field = f"answers.{error.field}" if error.field else "answers"
        raise ServiceError(error.message, field=field) from None
    with transaction.atomic():
        assessment = Assessment.objects.create(
            client=client,
            organisation=organisation,
            performed_by=actor,
            performed_at=moment,
            instrument=definition.code,
            instrument_version=definition.version,
            definition_revision=definition.revision,
            administration=administration,
            answers=answers,
            result=result,
        )
        timeline_add(
            client=client,
            organisation_id=organisation.pk,
            kind="screening.assessed",
            category=InformationCategory.SCREENING,
            summary=assessment_summary(definition, result),
            actor=actor,
            object_type="assessment",
            object_id=assessment.pk,
            occurred_at=moment,
        )
        audit_record(
            actor=actor,
            action="screening.assess",
            object_type="assessment",
            object_id=assessment.pk,
            organisation_id=organisation.pk,
            details={
                "client": str(client.pk),
                "instrument": definition.code,
                "version": definition.version,
                "revision": definition.revision,
                "administration": administration,
            },
        )
    return assessment


def _check_intervention(
    *,
    client: Client,
    kind: str,
    minutes: int,
    assessment: Assessment | None,
    material_kind: str,
    follow_up_offered: bool,
    follow_up_on: date | None,
) -> None:
    if kind not in BriefInterventionKind.values:
        raise ServiceError("Choose the kind of brief intervention from the list.", field="kind")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ServiceError(f"Give the minutes spent, from {MIN_MINUTES} to {MAX_MINUTES}.", field="minutes")
    if assessment is not None and assessment.client_id not in record_client_ids(client):
        raise ServiceError("Choose an assessment of this client.", field="assessment_id")
    if kind == BriefInterventionKind.ASSIST_LINKED and (assessment is None or assessment.instrument != "assist"):
        raise ServiceError(
            "An ASSIST-linked brief intervention follows an ASSIST of this client.", field="assessment_id"
        )
    if material_kind and material_kind not in TakeHomeMaterial.values:
        raise ServiceError("Choose the take-home material from the list.", field="material_kind")
    if follow_up_on is not None:
        if not follow_up_offered:
            raise ServiceError("A follow-up date needs a follow-up offered.", field="follow_up_on")
        if follow_up_on < timezone.localdate():
            raise ServiceError("The follow-up date must be today or later.", field="follow_up_on")


def brief_intervention_record(
    *,
    actor: User,
    client: Client,
    organisation: Organisation,
    kind: str,
    minutes: int,
    assessment: Assessment | None = None,
    take_home_material: bool = False,
    material_kind: str = "",
    follow_up_offered: bool = False,
    follow_up_on: date | None = None,
    given_at: datetime | None = None,
) -> BriefIntervention:
    """Record a brief intervention given to the client. ``material_kind`` is required with take-home
    material (and ignored without it)."""
    check_can_act(actor, client, organisation)
    moment = _moment(given_at, "given_at")
    material_kind = material_kind if take_home_material else ""
    if take_home_material and not material_kind:
        raise ServiceError("Say what material the client took home.", field="material_kind")
    _check_intervention(
        client=client,
        kind=kind,
        minutes=minutes,
        assessment=assessment,
        material_kind=material_kind,
        follow_up_offered=follow_up_offered,
        follow_up_on=follow_up_on,
    )
    with transaction.atomic():
        intervention = BriefIntervention.objects.create(
            client=client,
            organisation=organisation,
            given_by=actor,
            given_at=moment,
            kind=kind,
            minutes=minutes,
            assessment=assessment,
            take_home_material=take_home_material,
            material_kind=material_kind,
            follow_up_offered=follow_up_offered,
            follow_up_on=follow_up_on,
        )
        summary = f"{BriefInterventionKind(kind).label}, {minutes} min"
        if follow_up_on is not None:
            summary += f"; follow-up on {follow_up_on.isoformat()}"
        elif follow_up_offered:
            summary += "; follow-up offered"
        timeline_add(
            client=client,
            organisation_id=organisation.pk,
            kind="screening.brief_intervention",
            category=InformationCategory.SCREENING,
            summary=summary,
            actor=actor,
            object_type="brief_intervention",
            object_id=intervention.pk,
            occurred_at=moment,
        )
        audit_record(
            actor=actor,
            action="screening.brief_intervention",
            object_type="brief_intervention",
            object_id=intervention.pk,
            organisation_id=organisation.pk,
            details={
                "client": str(client.pk),
                "kind": kind,
                "assessment": str(assessment.pk) if assessment is not None else None,
            },
        )
    return intervention
