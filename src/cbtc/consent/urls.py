"""Consent pages and the accounting of disclosures. Only opaque UUIDs appear in these URLs."""

from django.urls import path

from cbtc.consent import views

app_name = "consent"

urlpatterns = [
    path("clients/<uuid:client_id>/consents/new/", views.consent_new_view, name="new"),
    path("consents/<uuid:consent_id>/withdraw/", views.consent_withdraw_view, name="withdraw"),
    path("consents/<uuid:consent_id>/end/", views.consent_end_view, name="end"),
    path("clients/<uuid:client_id>/disclosures/", views.disclosures_view, name="disclosures"),
    path("clients/<uuid:client_id>/disclosures/export.csv", views.disclosures_csv_view, name="disclosures_csv"),
    path("clients/<uuid:client_id>/disclosures/export.json", views.disclosures_json_view, name="disclosures_json"),
]
