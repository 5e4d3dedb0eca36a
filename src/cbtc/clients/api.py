"""JSON API of the clients app: UIC codes, duplicate checks, registration, records, timelines and merges.

Thin: each operation parses its input, calls one service or selector, and serialises what the caller may
see. Paths carry opaque UUIDs only; codes, names and search terms travel in request bodies. Responses with
client data are never cached (Cache-Control: no-store).
"""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from cbtc.api_routing import PolicyRouter
from cbtc.clients.duplicates import DuplicateReport, find_duplicates
from cbtc.clients.identity import Identity
from cbtc.clients.models import KEY_POPULATIONS, Client, ClientEvent, ClientMerge, InformationCategory
from cbtc.clients.schemas import (
    ClientOut,
    ClientRegisterIn,
    ClientSearchIn,
    ClientSearchOut,
    ClientUpdateIn,
    DuplicateCheckIn,
    DuplicateCheckOut,
    DuplicateErrorOut,
    ErrorOut,
    MergeIn,
    MergeOut,
    TimelineOut,
    TimelineQuery,
    UicBuildIn,
    UicInput,
    UicOut,
    UicSchemeListOut,
)
from cbtc.clients.selectors import (
    ClientQuery,
    ClientRecord,
    client_get_for_actor,
    client_search_for_actor,
    client_timeline,
    merge_get_for_actor,
    registering_organisations,
)
from cbtc.clients.services import (
    Demographics,
    PossibleDuplicates,
    client_merge,
    client_merge_undo,
    client_register,
    client_update,
)
from cbtc.clients.uic import UicError, UicResult, active_scheme, available_schemes, build_uic, get_scheme, parse_uic
from cbtc.consent.models import DisclosureChannel
from cbtc.errors import NotFound, ServiceError
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Permission
from cbtc.web.policy import requires

router = PolicyRouter(tags=["clients"])

IDENTITY = InformationCategory.IDENTITY
DEMOGRAPHICS = InformationCategory.DEMOGRAPHICS
_KP_PREFIX = "kp_"

# Error answers every client operation may give, for the OpenAPI document.
_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def no_store(response: HttpResponse) -> None:
    """Client data must not be kept by a browser, proxy or offline-app HTTP cache."""
    response["Cache-Control"] = "no-store"


def actor_of(request: HttpRequest) -> User:
    # TokenAuth has put the token's user on the request before any operation runs.
    return cast(User, request.user)


# ---- parsing -------------------------------------------------------------------------------------------


def _uic_error(error: UicError, *, answers_field: str, scheme_field: str) -> ServiceError:
    if error.field == "scheme":
        field = scheme_field
    elif error.field == "uic":
        field = "uic"
    else:
        field = f"{answers_field}.{error.field}"
    return ServiceError(error.message, field=field)


def uic_from_answers(
    scheme_code: str | None, answers: Mapping[str, object], *, answers_field: str, scheme_field: str
) -> UicResult:
    try:
        scheme = get_scheme(scheme_code) if scheme_code else active_scheme()
        return build_uic(scheme, answers)
    except UicError as error:
        raise _uic_error(error, answers_field=answers_field, scheme_field=scheme_field) from None


def uic_from_input(data: UicInput) -> UicResult:
    """The code from a typed ``uic`` or from ``uic_answers``: exactly one of the two."""
    if (data.uic is None) == (data.uic_answers is None):
        raise ServiceError("Give either the code as typed from a card, or the answers to the questions.", field="uic")
    if data.uic_answers is not None:
        return uic_from_answers(
            data.uic_scheme, data.uic_answers, answers_field="uic_answers", scheme_field="uic_scheme"
        )
    try:
        scheme = get_scheme(data.uic_scheme) if data.uic_scheme else active_scheme()
        return parse_uic(scheme, data.uic or "")
    except UicError as error:
        raise _uic_error(error, answers_field="uic_answers", scheme_field="uic_scheme") from None


def _identity(values: Mapping[str, object]) -> Identity:
    return Identity.from_values({key: value or "" for key, value in values.items()})


def _key_population_flags(codes: list[Any]) -> frozenset[str]:
    return frozenset(_KP_PREFIX + str(code) for code in codes)


def _registering_organisation(actor: User, organisation_id: uuid.UUID | None) -> Organisation:
    organisations = registering_organisations(actor=actor)
    if organisation_id is not None:
        chosen = [org for org in organisations if org.pk == organisation_id]
        if not chosen:
            raise ServiceError("Choose an organisation you register clients for.", field="organisation_id")
        return chosen[0]
    if len(organisations) != 1:
        raise ServiceError(
            "You register clients for more than one organisation: say which one.", field="organisation_id"
        )
    return organisations[0]


# ---- serialising ---------------------------------------------------------------------------------------


def _organisation(org: Organisation) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name}


def _candidates(report: DuplicateReport) -> list[dict[str, Any]]:
    return [
        {"id": candidate.client.pk, "uic": candidate.client.uic, "score": candidate.score, "exact": candidate.exact}
        for candidate in report.candidates
    ]


def client_out(record: ClientRecord) -> dict[str, Any]:
    """The record as the actor may see it: categories the access does not cover are null."""
    client, access = record.client, record.access
    demographics = record.sees(DEMOGRAPHICS)
    shared_by = None
    if not access.owner:
        consents = {terms.consent_id: terms for terms in access.via.values()}
        shared_by = {
            "organisation": _organisation(client.organisation),
            "consents": [
                {
                    "id": terms.consent_id,
                    "purpose": terms.purpose,
                    "categories": sorted(category for category, via in access.via.items() if via is terms),
                }
                for _, terms in sorted(consents.items())
            ],
        }
    return {
        "id": client.pk,
        "organisation": _organisation(client.organisation),
        "registered_at": client.registered_at,
        # Merges are the owner's housekeeping; recipients are not told about them.
        "merged_into_id": client.merged_into_id if access.owner else None,
        "access": {"owner": access.owner, "categories": sorted(access.categories), "shared_by": shared_by},
        "uic": client.uic if demographics else None,
        "uic_scheme": client.uic_scheme if demographics else None,
        "uic_scheme_version": client.uic_scheme_version if demographics else None,
        "uic_low_confidence": client.uic_low_confidence if demographics else None,
        "birth_year": client.birth_year if demographics else None,
        "birth_month": client.birth_month if demographics else None,
        "sex_at_birth": client.sex_at_birth if demographics else None,
        "gender_identity": client.gender_identity if demographics else None,
        "key_populations": (
            [flag.removeprefix(_KP_PREFIX) for flag in KEY_POPULATIONS if getattr(client, flag)]
            if demographics
            else None
        ),
        "substances": (
            [{"code": substance.code, "label": substance.label} for substance in record.substances]
            if demographics
            else None
        ),
        "display_name": record.display_name if record.identity is not None else None,
        "identity": vars(record.identity) if record.identity is not None else None,
    }


def _timeline_entry(event: ClientEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "category": event.category,
        "summary": event.summary,
        "occurred_at": event.occurred_at,
        "organisation": _organisation(event.organisation),
    }


def _cursor_time(moment: datetime) -> str:
    # Microseconds kept (a JSON datetime is cut to milliseconds), and "Z" rather than "+00:00": a "+" that a
    # caller forgets to percent-encode in the query string would arrive as a space.
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _merge_out(merge: ClientMerge) -> dict[str, Any]:
    return {
        "id": merge.pk,
        "survivor_id": merge.survivor_id,
        "merged_id": merge.merged_id,
        "merged_at": merge.merged_at,
        "reason": merge.reason,
        "undone_at": merge.undone_at,
    }


# ---- UIC -----------------------------------------------------------------------------------------------


@router.get("/uic/schemes", response={200: UicSchemeListOut, 403: ErrorOut}, summary="UIC schemes and their questions")
@requires(Permission.CLIENT_REGISTER)
def uic_schemes(request: HttpRequest) -> dict[str, Any]:
    active = active_scheme().code
    schemes = sorted(available_schemes().values(), key=lambda scheme: (scheme.code != active, scheme.code))
    return {
        "schemes": [
            {
                "code": scheme.code,
                "version": scheme.version,
                "name": scheme.name,
                "description": scheme.description,
                "length": scheme.length,
                "check_character": scheme.check_character,
                "active": scheme.code == active,
                "questions": [
                    {
                        "key": question.key,
                        "label": question.label,
                        "kind": question.kind,
                        "help": question.help,
                        "required": question.required,
                        "choices": list(question.choices),
                    }
                    for question in scheme.questions
                ],
            }
            for scheme in schemes
        ]
    }


@router.post(
    "/uic/build", response={200: UicOut, 403: ErrorOut, 422: ErrorOut}, summary="Build a UIC from a client's answers"
)
@requires(Permission.CLIENT_REGISTER)
def uic_build(request: HttpRequest, response: HttpResponse, data: UicBuildIn) -> dict[str, Any]:
    no_store(response)
    result = uic_from_answers(data.scheme, data.answers, answers_field="answers", scheme_field="scheme")
    return {
        "code": result.code,
        "scheme": result.scheme,
        "version": result.version,
        "low_confidence": result.low_confidence,
    }


# ---- registration --------------------------------------------------------------------------------------


@router.post(
    "/clients/duplicate-check",
    response={200: DuplicateCheckOut, 403: ErrorOut, 422: ErrorOut},
    summary="Possible earlier registrations of a person, before registering them",
)
@requires(Permission.CLIENT_REGISTER)
def duplicate_check(request: HttpRequest, response: HttpResponse, data: DuplicateCheckIn) -> dict[str, Any]:
    no_store(response)
    actor = actor_of(request)
    report = find_duplicates(
        actor=actor, uic=uic_from_input(data), birth_year=data.birth_year, sex_at_birth=data.sex_at_birth
    )
    return {"candidates": _candidates(report), "known_elsewhere": report.known_elsewhere}


@router.post(
    "/clients/search",
    response={200: ClientSearchOut, 403: ErrorOut, 422: ErrorOut},
    summary="Find clients by name words, national ID or code (terms in the body, never in the URL)",
)
@requires(Permission.CLIENT_VIEW)
def client_search(request: HttpRequest, response: HttpResponse, data: ClientSearchIn) -> dict[str, Any]:
    no_store(response)
    found = client_search_for_actor(
        actor=actor_of(request),
        query=ClientQuery(text=data.text or "", uic=data.uic or "", shared_only=data.shared_only),
        page=data.page,
    )
    results = []
    for row in found.rows:
        client = row.client
        demographics = DEMOGRAPHICS in row.categories
        results.append(
            {
                "id": client.pk,
                "uic": client.uic if demographics else None,
                "display_name": row.display_name if IDENTITY in row.categories else None,
                "birth_year": client.birth_year if demographics else None,
                "sex_at_birth": client.sex_at_birth if demographics else None,
                "registered_at": client.registered_at,
                "owner": row.owner,
                "organisation": _organisation(client.organisation),
            }
        )
    return {"results": results, "page": found.page, "has_next": found.has_next}


@router.post(
    "/clients",
    response={200: ClientOut, 201: ClientOut, 403: ErrorOut, 409: DuplicateErrorOut, 422: ErrorOut},
    summary="Register a client (201); the same id and code again returns the client already registered (200)",
)
@requires(Permission.CLIENT_REGISTER)
def client_create(request: HttpRequest, response: HttpResponse, data: ClientRegisterIn) -> Status[dict[str, Any]]:
    no_store(response)
    actor = actor_of(request)
    organisation = _registering_organisation(actor, data.organisation_id)
    uic = uic_from_input(data)
    already = data.id is not None and Client.objects.filter(pk=data.id).exists()
    try:
        client = client_register(
            actor=actor,
            organisation=organisation,
            uic=uic,
            demographics=Demographics(
                birth_year=data.birth_year,
                birth_month=data.birth_month,
                sex_at_birth=data.sex_at_birth,
                gender_identity=data.gender_identity,
                key_populations=_key_population_flags(data.key_populations),
                substances=frozenset(data.substances),
            ),
            identity=_identity(data.identity.model_dump() if data.identity else {}),
            confirmed_new_person=data.confirmed_new_person,
            client_id=data.id,
        )
    except PossibleDuplicates as duplicates:
        body = {
            "message": duplicates.message,
            "candidates": _candidates(duplicates.report),
            "known_elsewhere": duplicates.report.known_elsewhere,
        }
        return Status(409, {"error": body})
    record = client_get_for_actor(actor=actor, client_id=client.pk, channel=DisclosureChannel.API)
    return Status(200 if already else 201, client_out(record))


# ---- one client ----------------------------------------------------------------------------------------


@router.get("/clients/{client_id}", response={200: ClientOut, **_ERRORS}, summary="A client, as you may see them")
@requires(Permission.CLIENT_VIEW)
def client_detail(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = client_get_for_actor(actor=actor_of(request), client_id=client_id, channel=DisclosureChannel.API)
    return client_out(record)


@router.patch(
    "/clients/{client_id}",
    response={200: ClientOut, **_ERRORS},
    summary="Correct a client's demographics and identifying details (only the fields sent change)",
)
@requires(Permission.CLIENT_REGISTER)
def client_change(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: ClientUpdateIn
) -> dict[str, Any]:
    no_store(response)
    actor = actor_of(request)
    record = client_get_for_actor(
        actor=actor, client_id=client_id, channel=DisclosureChannel.API, for_action=Permission.CLIENT_REGISTER
    )
    client = record.client
    sent = data.model_fields_set
    demographics = Demographics(
        birth_year=data.birth_year if "birth_year" in sent else client.birth_year,
        birth_month=data.birth_month if "birth_month" in sent else client.birth_month,
        sex_at_birth=data.sex_at_birth or client.sex_at_birth,
        gender_identity=data.gender_identity or client.gender_identity,
        key_populations=(
            _key_population_flags(data.key_populations)
            if data.key_populations is not None
            else frozenset(flag for flag in KEY_POPULATIONS if getattr(client, flag))
        ),
        substances=(
            frozenset(data.substances)
            if data.substances is not None
            else frozenset(substance.code for substance in record.substances)
        ),
    )
    current = vars(record.identity) if record.identity is not None else {}
    changes = data.identity.model_dump(exclude_unset=True) if data.identity is not None else {}
    identity = _identity({**current, **changes})
    updated = client_update(actor=actor, client=client, demographics=demographics, identity=identity)
    return client_out(
        ClientRecord(
            client=updated,
            access=record.access,
            identity=identity,
            substances=list(updated.main_substances.all()),
            group_ids=record.group_ids,
        )
    )


@router.get(
    "/clients/{client_id}/timeline",
    response={200: TimelineOut, **_ERRORS},
    summary="A client's timeline, newest first, limited to what you may see",
)
@requires(Permission.CLIENT_VIEW)
def timeline(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, query: Query[TimelineQuery]
) -> dict[str, Any]:
    no_store(response)
    if (query.before_at is None) != (query.before_id is None):
        raise ServiceError("Give both before_at and before_id, or neither.", field="before_id")
    try:
        if query.before_at is not None:
            query.before_at.astimezone(UTC)  # a time the database can hold
    except OverflowError:
        raise ServiceError("before_at is out of range.", field="before_at") from None
    record = client_get_for_actor(actor=actor_of(request), client_id=client_id, channel=DisclosureChannel.API)
    before = (query.before_at, query.before_id) if query.before_at and query.before_id else None
    events, has_more = client_timeline(record=record, before=before)
    last = events[-1] if events and has_more else None
    return {
        "entries": [_timeline_entry(event) for event in events],
        "next": {"before_at": _cursor_time(last.occurred_at), "before_id": last.pk} if last else None,
    }


# ---- merges --------------------------------------------------------------------------------------------


@router.post(
    "/clients/{client_id}/merge",
    response={201: MergeOut, **_ERRORS},
    summary="Merge a duplicate record of the same person into this one",
)
@requires(Permission.CLIENT_MERGE)
def merge(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: MergeIn) -> Status[dict[str, Any]]:
    no_store(response)
    actor = actor_of(request)
    survivor = client_get_for_actor(
        actor=actor, client_id=client_id, channel=DisclosureChannel.API, for_action=Permission.CLIENT_MERGE
    )
    try:
        duplicate = client_get_for_actor(
            actor=actor, client_id=data.duplicate_id, channel=DisclosureChannel.API, for_action=Permission.CLIENT_MERGE
        )
    except NotFound:
        raise ServiceError("No client record you may see has this id.", field="duplicate_id") from None
    try:
        result = client_merge(actor=actor, survivor=survivor.client, duplicate=duplicate.client, reason=data.reason)
    except ServiceError as error:
        if type(error) is ServiceError and error.field == "duplicate":  # named as in this operation's input
            raise ServiceError(error.message, field="duplicate_id") from None
        raise
    return Status(201, _merge_out(result))


@router.post(
    "/client-merges/{merge_id}/undo",
    response={200: MergeOut, **_ERRORS},
    summary="Undo a merge: the merged record stands on its own again",
)
@requires(Permission.CLIENT_MERGE)
def merge_undo(request: HttpRequest, response: HttpResponse, merge_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    actor = actor_of(request)
    found = merge_get_for_actor(actor=actor, merge_id=merge_id)
    return _merge_out(client_merge_undo(actor=actor, merge=found))
