"""Level-of-care recommendations from the latest results across instruments, saved as the server works them out,
and placements more intensive than recommended flagged for review without ever blocking anyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.clients.models import Client, ClientEvent
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import PyramidLevel, Service, ServiceType, User
from cbtc.network.services.directory import service_create
from cbtc.screening.level_of_care import placement_review_close, placement_review_flag, recommendation_record
from cbtc.screening.models import Assessment, LevelOfCareRecommendation, PlacementReview
from cbtc.screening.services import assessment_record
from tests.clients.test_registry import register, share
from tests.conftest import Network, bearer, signed_in_client
from tests.screening.conftest import recorded_assist, treatment_consent
from tests.screening.instrument_helpers import assist_answers

pytestmark = pytest.mark.django_db

NOTHING_USED = assist_answers({})
DAST_SEVERE = {f"q{n}": True for n in range(1, 11)}


def _dast(client: Client, actor: User, days_ago: int) -> Assessment:
    return assessment_record(
        actor=actor,
        client=client,
        organisation=client.organisation,
        instrument="dast-10",
        answers=DAST_SEVERE,
        administration="interviewer",
        performed_at=timezone.now() - timedelta(days=days_ago),
    )


def _save(client: Client, actor: User, assessment: Assessment, **context: Any) -> LevelOfCareRecommendation:
    return recommendation_record(
        actor=actor, client=client, organisation=client.organisation, assessment=assessment, context=context
    )


def test_the_recommendation_takes_the_latest_result_of_each_instrument_from_the_past_year(
    client_a: Client, clinician: User
) -> None:
    _dast(client_a, clinician, days_ago=500)  # more than a year before either ASSIST: too old to count
    assist = recorded_assist(client_a, clinician, NOTHING_USED)
    alone = _save(client_a, clinician, assist)
    assert alone.level == 1 and [item["instrument"] for item in alone.based_on] == ["assist"]

    dast = _dast(client_a, clinician, days_ago=30)
    combined = _save(client_a, clinician, assist)
    assert combined.level == PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert {item["id"] for item in combined.based_on} == {str(assist.pk), str(dast.pk)}
    assert "high-risk-specialist-assessment" in {reason["rule"] for reason in combined.reasons}

    # A result after the one looked at is not part of its recommendation.
    earlier = recorded_assist(client_a, clinician, NOTHING_USED, performed_at=timezone.now() - timedelta(days=60))
    assert _save(client_a, clinician, earlier).level == 1


def test_the_saved_recommendation_is_the_server_s_own_with_context_timeline_and_audit(
    client_a: Client, clinician: User
) -> None:
    assist = recorded_assist(client_a, clinician)  # high-risk opioids
    saved = _save(client_a, clinician, assist, withdrawal_risk="severe", preference="no_treatment_now")
    assert saved.context["withdrawal_risk"] == "severe" and saved.context["preference"] == "no_treatment_now"
    assert saved.level >= saved.safety_floor == PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert ServiceType.METHADONE in saved.services
    assert any(reason["rule"] == "safety-floor" for reason in saved.reasons)
    event = ClientEvent.objects.get(kind="screening.recommended")
    assert event.summary.startswith(f"Level of care recommended: level {saved.level}")
    audit = AuditEvent.objects.get(action="screening.recommend")
    assert audit.details["level"] == saved.level and "withdrawal" not in str(audit.details)


@pytest.mark.parametrize(
    ("context", "field"),
    [
        ({"housing": True}, "context.housing"),
        ({"pregnant": "yes"}, "context.pregnant"),
        ({"withdrawal_risk": "extreme"}, "context.withdrawal_risk"),
        ({"preference": "prison"}, "context.preference"),
    ],
)
def test_impossible_context_is_refused_with_the_field_and_nothing_is_saved(
    client_a: Client, clinician: User, context: dict[str, Any], field: str
) -> None:
    assist = recorded_assist(client_a, clinician)
    with pytest.raises(ServiceError) as refused:
        _save(client_a, clinician, assist, **context)
    assert refused.value.field == field
    assert not LevelOfCareRecommendation.objects.exists()


def test_only_the_registering_service_saves_and_only_for_its_own_client(
    network: Network, client_a: Client, clinician: User, clinician_b: User
) -> None:
    assist = recorded_assist(client_a, clinician)
    share(clinician, client_a, [network.org_b], {"screening"})
    with pytest.raises(NotPermitted):
        recommendation_record(
            actor=clinician_b, client=client_a, organisation=client_a.organisation, assessment=assist, context={}
        )
    other = register(clinician, network.org_a, "JOSE0202021985")
    treatment_consent(clinician, other)
    with pytest.raises(ServiceError) as refused:
        _save(other, clinician, assist)
    assert refused.value.field == "assessment_id"


@pytest.fixture
def residential(network: Network) -> Service:
    return service_create(
        actor=None,
        site=network.site_b,
        name="Beta residential",
        type=ServiceType.LONG_TERM_RESIDENTIAL,
        pyramid_level=PyramidLevel.LONG_TERM_RESIDENTIAL,
    )


def test_a_placement_more_intensive_than_recommended_is_flagged_for_review_and_never_blocked(
    network: Network, client_a: Client, clinician: User, residential: Service
) -> None:
    # Nothing to compare with before a recommendation is saved.
    before = placement_review_flag(actor=clinician, client=client_a, service=residential, placed_by_object_type="x")
    assert before is None
    saved = _save(client_a, clinician, recorded_assist(client_a, clinician))
    assert saved.level < PyramidLevel.LONG_TERM_RESIDENTIAL
    at_level = placement_review_flag(
        actor=clinician, client=client_a, service=network.methadone_a, placed_by_object_type="referral"
    )
    assert at_level is None
    review = placement_review_flag(
        actor=clinician, client=client_a, service=residential, placed_by_object_type="referral"
    )
    assert review is not None and review.outcome == ""
    assert (review.recommended_level, review.placed_level) == (saved.level, PyramidLevel.LONG_TERM_RESIDENTIAL)
    entry = ClientEvent.objects.get(kind="screening.placement_review")
    assert entry.summary == (
        "For review: placed at level 7 (Beta residential), more intensive than the recommended level "
        f"{saved.level}. The placement stands."
    )

    closed = placement_review_close(actor=clinician, review=review, outcome="client_choice")
    assert closed.outcome == "client_choice" and closed.reviewed_by == clinician
    with pytest.raises(ServiceError):
        placement_review_close(actor=clinician, review=review, outcome="placement_confirmed")
    with pytest.raises(ServiceError) as refused:
        placement_review_close(actor=clinician, review=PlacementReview.objects.get(), outcome="discharge")
    assert refused.value.field == "outcome"


def test_only_the_registering_service_reviews_a_placement(
    client_a: Client, clinician: User, clinician_b: User, residential: Service
) -> None:
    _save(client_a, clinician, recorded_assist(client_a, clinician))
    review = placement_review_flag(actor=clinician, client=client_a, service=residential, placed_by_object_type="x")
    assert review is not None
    with pytest.raises(NotPermitted):
        placement_review_close(actor=clinician_b, review=review, outcome="client_choice")


# ---- API ------------------------------------------------------------------------------------------------------


def test_the_api_saves_lists_and_reviews(
    network: Network, client_a: Client, clinician: User, clinician_b: User, residential: Service
) -> None:
    from django.test import Client as HttpClient  # noqa: PLC0415

    api = HttpClient(**bearer(clinician))
    assist = recorded_assist(client_a, clinician)
    base = f"/api/v1/clients/{client_a.pk}"
    created = api.post(
        f"{base}/recommendations",
        {"assessment_id": str(assist.pk), "context": {"pregnant": True}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["context"]["pregnant"] is True and body["level"] >= body["safety_floor"]
    assert "pregnancy-opioid-oat" in {reason["rule"] for reason in body["reasons"]}
    refused = api.post(
        f"{base}/recommendations",
        {"assessment_id": str(assist.pk), "context": {"withdrawal_risk": "extreme"}},
        content_type="application/json",
    )
    assert refused.status_code == 422
    listed = api.get(f"{base}/recommendations").json()["recommendations"]
    assert [item["id"] for item in listed] == [body["id"]]

    review = placement_review_flag(actor=clinician, client=client_a, service=residential, placed_by_object_type="x")
    assert review is not None
    reviews = api.get(f"{base}/placement-reviews").json()["placement_reviews"]
    assert [item["id"] for item in reviews] == [str(review.pk)] and reviews[0]["outcome"] is None
    outcome = api.post(
        f"{base}/placement-reviews/{review.pk}/outcome",
        {"outcome": "placement_changed"},
        content_type="application/json",
    )
    assert outcome.status_code == 200 and outcome.json()["outcome"] == "placement_changed"

    # A recipient under a consent covering screening reads the recommendation, never the placement reviews.
    share(clinician, client_a, [network.org_b], {"screening"})
    recipient = HttpClient(**bearer(clinician_b))
    assert recipient.get(f"{base}/recommendations").status_code == 200
    assert recipient.get(f"{base}/placement-reviews").status_code in (403, 404)


# ---- pages ----------------------------------------------------------------------------------------------------


def test_the_result_page_lists_services_near_the_client_s_service_and_saves_the_recommendation(
    network: Network, client_a: Client, clinician: User, residential: Service
) -> None:
    assist = recorded_assist(client_a, clinician)
    result_url = f"/clients/{client_a.pk}/screening/assessments/{assist.pk}/"
    browser = signed_in_client(clinician)
    page = browser.get(result_url).content.decode()
    assert "Services near Alpha main clinic" in page
    assert "Alpha methadone clinic" in page
    assert "Save this recommendation" in page

    saved = browser.post(f"{result_url}recommendation/save/", {"withdrawal_risk": "none", "pregnant": "on"})
    assert saved.status_code == 302 and saved["Location"] == f"{result_url}#recommendation"
    stored = LevelOfCareRecommendation.objects.get()
    assert stored.context["pregnant"] is True
    assert browser.post(f"{result_url}recommendation/save/", {"withdrawal_risk": "extreme"}).status_code == 400
    assert LevelOfCareRecommendation.objects.count() == 1

    review = placement_review_flag(actor=clinician, client=client_a, service=residential, placed_by_object_type="x")
    assert review is not None
    client_page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"level {stored.level}" in client_page and "Placements for review" in client_page
    review_url = f"/clients/{client_a.pk}/screening/placement-reviews/{review.pk}/"
    done = browser.post(review_url, {"outcome": "client_choice"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.outcome == "client_choice"
    assert "Reviewed: Placement is the client" in browser.get(f"/clients/{client_a.pk}/").content.decode()


def test_a_recipient_sees_the_recommendation_but_cannot_save_it_or_see_placement_reviews(
    network: Network, client_a: Client, clinician: User, clinician_b: User, residential: Service
) -> None:
    assist = recorded_assist(client_a, clinician)
    _save(client_a, clinician, assist)
    placement_review_flag(actor=clinician, client=client_a, service=residential, placed_by_object_type="x")
    share(clinician, client_a, [network.org_b], {"screening"})
    recipient = signed_in_client(clinician_b)
    result_url = f"/clients/{client_a.pk}/screening/assessments/{assist.pk}/"
    page = recipient.get(result_url).content.decode()
    assert "Recommended:" in page and "Save this recommendation" not in page
    assert recipient.post(f"{result_url}recommendation/save/", {"withdrawal_risk": "none"}).status_code == 403
    client_page = recipient.get(f"/clients/{client_a.pk}/").content.decode()
    assert "Placements for review" not in client_page
    assert LevelOfCareRecommendation.objects.count() == 1
