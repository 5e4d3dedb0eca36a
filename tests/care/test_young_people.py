"""Young people: flagged on their record from the birth year; a parent's or guardian's consent under the consent
rules before treatment; a preference for settings for young people: residential or inpatient care alongside
adults needs its reason written down (never a refusal of care)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cbtc.care.models import Episode, Modality
from cbtc.care.services.episodes import EpisodeInput, episode_open
from cbtc.care.young_people import SHARED_LIVING_MODALITIES, YOUTH_SETTING_MAX_AGE, adult_setting_needs_reason
from cbtc.clients.models import Client
from cbtc.consent.models import ConsentKind, ConsentMethod
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.errors import ServiceError
from cbtc.network.models import PyramidLevel, Service, ServiceType, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import service_create
from tests.clients.test_registry import register
from tests.conftest import Network, Personas, signed_in_client

pytestmark = pytest.mark.django_db


@given(
    young=st.booleans(),
    modality=st.sampled_from(Modality.values),
    min_age=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    max_age=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
)
def test_only_a_young_person_living_alongside_adults_needs_a_reason(
    young: bool, modality: str, min_age: int | None, max_age: int | None
) -> None:
    needs = adult_setting_needs_reason(
        young=young, modality=modality, service_min_age=min_age, service_max_age=max_age, minor_age=18
    )
    for_minors_only_young = (
        (min_age is None or min_age < 18) and max_age is not None and max_age <= YOUTH_SETTING_MAX_AGE
    )
    assert needs == (young and modality in SHARED_LIVING_MODALITIES and not for_minors_only_young)


@pytest.fixture
def case_manager(personas: Personas) -> User:
    return personas.by_role[Role.CASE_MANAGER]


@pytest.fixture
def young_client(network: Network, case_manager: User) -> Client:
    return register(case_manager, network.org_a, "LINA0303032011", birth_year=timezone.localdate().year - 15)


@pytest.fixture
def youth_residential(network: Network) -> Service:
    return service_create(
        actor=None,
        site=network.site_a,
        name="Young people's house",
        type=ServiceType.LONG_TERM_RESIDENTIAL,
        pyramid_level=PyramidLevel.LONG_TERM_RESIDENTIAL,
        min_age=13,
        max_age=21,
    )


def _treatment_consent(actor: User, client: Client, guardian: str = "") -> None:
    data = ConsentInput(
        kind=ConsentKind.TREATMENT,
        method=ConsentMethod.WRITTEN,
        given_at=timezone.now() - timedelta(minutes=1),
        witnessed_by=actor,
        guardian_relationship=guardian,
    )
    consent_record(actor=actor, client=client, organisation=client.organisation, data=data)


def _open(actor: User, client: Client, service: Service, modality: str, reason: str = "") -> Episode:
    data = EpisodeInput(service=service, modality=modality, referral_source="family", adult_setting_reason=reason)
    return episode_open(actor=actor, client=client, data=data)


@override_settings(MINORS_CONSENT_ALONE=False)
def test_a_young_person_needs_a_parent_s_consent_before_treatment(
    network: Network, case_manager: User, young_client: Client
) -> None:
    with pytest.raises(ServiceError) as refused:
        _treatment_consent(case_manager, young_client)
    assert refused.value.field == "guardian_relationship"
    with pytest.raises(ServiceError):
        _open(case_manager, young_client, network.methadone_a, Modality.OUTPATIENT_LOW)  # not admitted without it
    _treatment_consent(case_manager, young_client, guardian="parent")
    assert _open(case_manager, young_client, network.methadone_a, Modality.OUTPATIENT_LOW).status == "active"


def test_residential_care_alongside_adults_needs_the_reason_a_youth_setting_does_not(
    network: Network, case_manager: User, young_client: Client, youth_residential: Service
) -> None:
    _treatment_consent(case_manager, young_client, guardian="parent")
    with pytest.raises(ServiceError) as refused:
        _open(case_manager, young_client, network.methadone_a, Modality.LONG_TERM_RESIDENTIAL)
    assert refused.value.field == "adult_setting_reason" and not Episode.objects.exists()
    reason = "No place for young people within 200 km; own room, staff with youth training."
    placed = _open(case_manager, young_client, network.methadone_a, Modality.LONG_TERM_RESIDENTIAL, reason)
    assert placed.adult_setting_reason == reason
    youth = _open(case_manager, young_client, youth_residential, Modality.LONG_TERM_RESIDENTIAL, "not needed")
    assert youth.adult_setting_reason == ""  # nothing to explain: nothing kept
    young_adults = service_create(
        actor=None,
        site=network.site_a,
        name="Young adults' house",
        type=ServiceType.LONG_TERM_RESIDENTIAL,
        pyramid_level=PyramidLevel.LONG_TERM_RESIDENTIAL,
        min_age=18,
        max_age=24,
    )
    with pytest.raises(ServiceError) as adults_only:  # 18 to 24: young adults, not a setting for minors
        _open(case_manager, young_client, young_adults, Modality.LONG_TERM_RESIDENTIAL)
    assert adults_only.value.field == "adult_setting_reason"


def test_an_adult_is_never_asked(network: Network, case_manager: User) -> None:
    adult = register(case_manager, network.org_a, "MARE0101011970", birth_year=1970)
    _treatment_consent(case_manager, adult)
    assert _open(case_manager, adult, network.methadone_a, Modality.SHORT_TERM_RESIDENTIAL).adult_setting_reason == ""


def test_the_pages_flag_a_young_person_and_ask_for_the_reason(
    network: Network, case_manager: User, young_client: Client
) -> None:
    browser = signed_in_client(case_manager)
    flag = f"Young person: may be under {settings.MINOR_AGE}".encode()
    assert flag in browser.get(f"/clients/{young_client.pk}/").content
    adult = register(case_manager, network.org_a, "MARE0101011970", birth_year=1970)
    assert flag not in browser.get(f"/clients/{adult.pk}/").content
    _treatment_consent(case_manager, young_client, guardian="parent")
    form = browser.get(f"/clients/{young_client.pk}/episodes/new/")
    assert b"why not a setting for young people" in form.content
    refused = browser.post(
        f"/clients/{young_client.pk}/episodes/new/",
        {
            "service": str(network.methadone_a.pk),
            "modality": Modality.SHORT_TERM_RESIDENTIAL,
            "referral_source": "family",
            "status": "active",
        },
    )
    assert refused.status_code == 400 and b"say why a setting for young people" in refused.content
    assert not Episode.objects.exists()
    opened = browser.post(
        f"/clients/{young_client.pk}/episodes/new/",
        {
            "service": str(network.methadone_a.pk),
            "modality": Modality.SHORT_TERM_RESIDENTIAL,
            "referral_source": "family",
            "status": "active",
            "adult_setting_reason": "The only place within reach; a room of her own.",
        },
    )
    assert opened.status_code == 302
    assert b"a room of her own" in browser.get(opened["Location"]).content  # reviewable on the episode
