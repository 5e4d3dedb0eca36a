"""Recording an outreach contact: checked in full before anything is written, then written in one transaction
with its timeline entry (named contacts only) and an audit event that carries counts, never details."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import (
    AGE_BANDS,
    KEY_POPULATIONS,
    SEXES,
    ContactPlace,
    NaloxoneGivenBy,
    OutreachContact,
    OverdoseEvent,
    OverdoseOutcome,
    SupplyGiven,
    SupplyItem,
    TallyCount,
    TallyDimension,
)
from cbtc.care.models.outreach import MAX_PEOPLE, MAX_QUANTITY, TESTS
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import AdminArea, Organisation, Service, User
from cbtc.network.roles import Permission

CLOCK_TOLERANCE = timedelta(minutes=5)
LATE_ENTRY = timedelta(days=30)  # field notes typed in later, but not months later
MAX_OVERDOSES = 10
TALLY_VALUES: dict[str, dict[str, str]] = {
    TallyDimension.SEX: SEXES,
    TallyDimension.AGE_BAND: AGE_BANDS,
    TallyDimension.KEY_POPULATION: KEY_POPULATIONS,
}


@dataclass(frozen=True)
class SupplyLine:
    quantity: int
    pre_test_counselling: bool = False
    post_test_counselling: bool = False


@dataclass(frozen=True)
class OverdoseInput:
    naloxone_given_by: str
    outcome: str
    naloxone_doses: int = 0


@dataclass(frozen=True)
class ContactInput:
    place: str
    contact_at: datetime | None = None
    service: Service | None = None
    area: AdminArea | None = None
    client: Client | None = None
    people_count: int = 1
    tally: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # dimension -> value -> people
    supplies: Mapping[str, SupplyLine] = field(default_factory=dict)  # item -> what was given
    overdoses: Sequence[OverdoseInput] = ()
    brief_advice: bool = False
    accompanied_to: Service | None = None


def _moment(value: datetime | None) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise ServiceError("Give the time with its time zone.", field="contact_at")
    if value > now + CLOCK_TOLERANCE:
        raise ServiceError("The contact cannot be in the future.", field="contact_at")
    if value < now - LATE_ENTRY:
        raise ServiceError("Record contacts within 30 days.", field="contact_at")
    return value


def _check_who(organisation: Organisation, data: ContactInput) -> None:
    if data.client is not None:
        if data.client.organisation_id != organisation.pk:
            raise ServiceError("Choose a client registered by your organisation.", field="client")
        if data.client.merged_into_id is not None:
            raise ServiceError("This record was merged into another: record the contact there.", field="client")
        if data.people_count != 1 or data.tally:
            raise ServiceError(
                "A contact with a registered client is one person, without a tally.", field="people_count"
            )
        return
    if not 1 <= data.people_count <= MAX_PEOPLE:
        raise ServiceError(f"Give how many people, from 1 to {MAX_PEOPLE}.", field="people_count")
    for dimension, counts in data.tally.items():
        values = TALLY_VALUES.get(dimension)
        if values is None:
            raise ServiceError("Count people by sex, age band or key population.", field=f"tally.{dimension}")
        for value, count in counts.items():
            if value not in values:
                raise ServiceError("Choose from the list.", field=f"tally.{dimension}.{value}")
            if not 0 <= count <= data.people_count:
                raise ServiceError("Give a count from 0 to the number of people.", field=f"tally.{dimension}.{value}")
        # Each person has one sex and one age band; key populations overlap (someone can be both).
        if dimension != TallyDimension.KEY_POPULATION and sum(counts.values()) > data.people_count:
            raise ServiceError("These add up to more people than were met.", field=f"tally.{dimension}")


def _check_what(organisation: Organisation, data: ContactInput) -> None:
    if data.place not in ContactPlace.values:
        raise ServiceError("Choose where the contact happened.", field="place")
    if data.service is not None and data.service.organisation_id != organisation.pk:
        raise ServiceError("Choose one of your organisation's services.", field="service")
    if data.area is not None and data.area.level == "country":
        raise ServiceError("Choose a province or district, or leave it out.", field="area")
    for item, line in data.supplies.items():
        if item not in SupplyItem.values:
            raise ServiceError("Choose what was given from the list.", field=f"supplies.{item}")
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ServiceError(f"Give a quantity from 1 to {MAX_QUANTITY}.", field=f"supplies.{item}")
        if item not in TESTS and (line.pre_test_counselling or line.post_test_counselling):
            raise ServiceError("Counselling is recorded with rapid tests only.", field=f"supplies.{item}")
    if len(data.overdoses) > MAX_OVERDOSES:
        raise ServiceError(f"Record at most {MAX_OVERDOSES} overdoses on one contact.", field="overdoses")
    for index, overdose in enumerate(data.overdoses):
        _check_overdose(index, overdose)
    if data.accompanied_to is not None and not data.accompanied_to.is_active:
        raise ServiceError("Choose a service that is open.", field="accompanied_to")


def _check_overdose(index: int, overdose: OverdoseInput) -> None:
    field_name = f"overdoses.{index}"
    if overdose.naloxone_given_by not in NaloxoneGivenBy.values:
        raise ServiceError("Say who gave naloxone, or that nobody did.", field=f"{field_name}.naloxone_given_by")
    if overdose.outcome not in OverdoseOutcome.values:
        raise ServiceError("Say what happened, from the list.", field=f"{field_name}.outcome")
    given = overdose.naloxone_given_by != NaloxoneGivenBy.NOBODY
    if given != (1 <= overdose.naloxone_doses <= 10):  # noqa: PLR2004 - doses of one event
        raise ServiceError(
            "Give the doses of naloxone (1 to 10), or none if nobody gave it.", field=f"{field_name}.naloxone_doses"
        )


def _summary(contact: OutreachContact, data: ContactInput) -> str:
    given = ", ".join(
        f"{SupplyItem(item).label.lower()} {line.quantity}" for item, line in sorted(data.supplies.items())
    )
    parts = [f"Outreach contact ({ContactPlace(contact.place).label.lower()})"]
    if given:
        parts.append(given)
    if data.overdoses:
        parts.append("overdose" if len(data.overdoses) == 1 else f"{len(data.overdoses)} overdoses")
    if data.accompanied_to is not None:
        parts.append(f"went with them to {data.accompanied_to.name}")
    return ": ".join([parts[0], "; ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def outreach_contact_record(*, actor: User, organisation: Organisation, data: ContactInput) -> OutreachContact:
    """Record one outreach contact, named or anonymous. Refusals raise ServiceError naming the field."""
    if not user_has_permission_in(actor, Permission.CARE_RECORD, organisation):
        raise NotPermitted("Your role in this organisation does not include recording contacts.")
    moment = _moment(data.contact_at)
    _check_who(organisation, data)
    _check_what(organisation, data)
    with transaction.atomic():
        contact = OutreachContact.objects.create(
            organisation=organisation,
            service=data.service,
            recorded_by=actor,
            contact_at=moment,
            place=data.place,
            area=data.area,
            client=data.client,
            people_count=data.people_count,
            brief_advice=data.brief_advice,
            accompanied_to=data.accompanied_to,
        )
        TallyCount.objects.bulk_create(
            TallyCount(contact=contact, dimension=dimension, value=value, count=count)
            for dimension, counts in data.tally.items()
            for value, count in counts.items()
            if count
        )
        SupplyGiven.objects.bulk_create(
            SupplyGiven(
                contact=contact,
                item=item,
                quantity=line.quantity,
                pre_test_counselling=line.pre_test_counselling,
                post_test_counselling=line.post_test_counselling,
            )
            for item, line in data.supplies.items()
        )
        OverdoseEvent.objects.bulk_create(
            OverdoseEvent(
                contact=contact,
                naloxone_given_by=o.naloxone_given_by,
                naloxone_doses=o.naloxone_doses,
                outcome=o.outcome,
            )
            for o in data.overdoses
        )
        if data.client is not None:
            timeline_add(
                client=data.client,
                organisation_id=organisation.pk,
                kind="care.outreach_contact",
                category=InformationCategory.HARM_REDUCTION,
                summary=_summary(contact, data),
                actor=actor,
                object_type="outreach_contact",
                object_id=contact.pk,
                occurred_at=moment,
            )
        audit_record(
            actor=actor,
            action="care.outreach_contact",
            object_type="outreach_contact",
            object_id=contact.pk,
            organisation_id=organisation.pk,
            details={
                "client": str(data.client.pk) if data.client is not None else None,
                "people": data.people_count,
                "supplies": len(data.supplies),
                "overdoses": len(data.overdoses),
            },
        )
    return contact
