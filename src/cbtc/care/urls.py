"""Outreach contact pages. Only opaque UUIDs appear in these URLs; what was recorded goes by POST."""

from django.urls import path

from cbtc.care import views

app_name = "care"

urlpatterns = [
    path("outreach/", views.contact_list_view, name="contacts"),
    path("outreach/new/", views.contact_new_view, name="new"),
    path("clients/<uuid:client_id>/contacts/new/", views.client_contact_new_view, name="client_new"),
]
