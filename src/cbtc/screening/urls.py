"""Screening pages. Only opaque UUIDs and instrument codes appear in these URLs: answers go by POST."""

from django.urls import path

from cbtc.screening import recommendation_views, views

app_name = "screening"

urlpatterns = [
    path("clients/<uuid:client_id>/screening/new/", views.screening_new_view, name="new"),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/",
        views.assessment_result_view,
        name="result",
    ),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/recommendation/",
        views.recommendation_view,
        name="recommendation",
    ),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/recommendation/save/",
        views.recommendation_save_view,
        name="recommendation_save",
    ),
    path(
        "clients/<uuid:client_id>/screening/placement-reviews/<uuid:review_id>/",
        recommendation_views.placement_review_view,
        name="placement_review",
    ),
    path(
        "clients/<uuid:client_id>/screening/assessments/<uuid:assessment_id>/brief-intervention/",
        views.brief_intervention_view,
        name="brief_intervention",
    ),
    path("clients/<uuid:client_id>/screening/<slug:instrument>/", views.screening_form_view, name="form"),
    path("clients/<uuid:client_id>/screening/<slug:instrument>/items/", views.screening_items_view, name="items"),
]
