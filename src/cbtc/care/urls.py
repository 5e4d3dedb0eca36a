"""Outreach contact, episode of care, casework, incident, pregnancy and release plan pages. Only opaque UUIDs
appear in these URLs; what was recorded goes by POST."""

from django.urls import path

from cbtc.care import casework_views, episode_views, figures_views, justice_views, population_views, views

app_name = "care"

EPISODE = "clients/<uuid:client_id>/episodes/<uuid:episode_id>/"

urlpatterns = [
    path("outreach/", views.contact_list_view, name="contacts"),
    path("outreach/new/", views.contact_new_view, name="new"),
    path("clients/<uuid:client_id>/contacts/new/", views.client_contact_new_view, name="client_new"),
    path("clients/<uuid:client_id>/episodes/new/", episode_views.episode_new_view, name="episode_new"),
    path(EPISODE, episode_views.episode_detail_view, name="episode"),
    path(EPISODE + "status/", episode_views.episode_status_view, name="episode_status"),
    path(EPISODE + "review/", episode_views.episode_review_view, name="episode_review"),
    path(EPISODE + "end/", episode_views.episode_end_view, name="episode_end"),
    path(EPISODE + "sessions/new/", episode_views.session_new_view, name="session_new"),
    path(EPISODE + "plans/new/", episode_views.care_plan_new_view, name="plan_new"),
    path(EPISODE + "events/new/", episode_views.clinical_event_new_view, name="event_new"),
    path(EPISODE + "outcomes/new/", casework_views.outcome_profile_new_view, name="outcome_new"),
    path(EPISODE + "check-ins/new/", casework_views.check_in_new_view, name="check_in_new"),
    path(EPISODE + "caseload/", casework_views.episode_assign_view, name="episode_assign"),
    path("care/worklists/", casework_views.worklists_view, name="worklists"),
    path("clients/<uuid:client_id>/incidents/new/", population_views.incident_new_view, name="incident_new"),
    path("clients/<uuid:client_id>/pregnancies/new/", population_views.pregnancy_new_view, name="pregnancy_new"),
    path(
        "clients/<uuid:client_id>/release-plans/new/", population_views.release_plan_new_view, name="release_plan_new"
    ),
    path(EPISODE + "court-reports/new/", justice_views.court_report_new_view, name="court_report_new"),
    path(EPISODE + "court-reports/<uuid:report_id>/", justice_views.court_report_view, name="court_report"),
    path("figures/incidents/", figures_views.incident_figures_view, name="incident_figures"),
]
