"""Client pages. Only opaque UUIDs appear in these URLs: never a code, a name or a date of birth."""

from django.urls import path

from cbtc.clients.views import merge, record, register, search

app_name = "clients"

urlpatterns = [
    path("clients/", search.client_list_view, name="list"),
    path("clients/register/", register.client_register_view, name="register"),
    path("clients/register/code/", register.register_code_view, name="register_code"),
    path("clients/merges/<uuid:merge_id>/undo/", merge.client_merge_undo_view, name="merge_undo"),
    path("clients/<uuid:client_id>/", record.client_detail_view, name="detail"),
    path("clients/<uuid:client_id>/timeline/", record.client_timeline_view, name="timeline"),
    path("clients/<uuid:client_id>/export/", record.client_export_view, name="export"),
    path("clients/<uuid:client_id>/edit/", record.client_edit_view, name="edit"),
    path("clients/<uuid:client_id>/merge/", merge.client_merge_view, name="merge"),
    path(
        "clients/<uuid:client_id>/merge/<uuid:duplicate_id>/",
        merge.client_merge_confirm_view,
        name="merge_confirm",
    ),
]
