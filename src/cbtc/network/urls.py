from django.urls import path

from cbtc.network.views import directory, public_directory, staff, tokens

app_name = "network"

urlpatterns = [
    path("directory/", directory.directory_view, name="directory"),
    path("directory/services/<uuid:service_id>/", directory.service_detail_view, name="service_detail"),
    path(
        "directory/organisations/<uuid:organisation_id>/",
        directory.organisation_detail_view,
        name="organisation_detail",
    ),
    # The public directory: no sign-in (standard 1.11).
    path("find/", public_directory.find_view, name="find"),
    path("find/services/<uuid:service_id>/", public_directory.find_service_view, name="find_service"),
    path("staff/", staff.staff_home_view, name="staff_home"),
    path("staff/<uuid:organisation_id>/", staff.staff_list_view, name="staff_list"),
    path("staff/<uuid:organisation_id>/new/", staff.staff_create_view, name="staff_create"),
    path("staff/<uuid:organisation_id>/people/<uuid:user_id>/", staff.staff_detail_view, name="staff_detail"),
    path("staff/<uuid:organisation_id>/people/<uuid:user_id>/roles/", staff.staff_role_add_view, name="staff_role_add"),
    path(
        "staff/<uuid:organisation_id>/people/<uuid:user_id>/roles/<uuid:membership_id>/remove/",
        staff.staff_role_remove_view,
        name="staff_role_remove",
    ),
    path("staff/<uuid:organisation_id>/people/<uuid:user_id>/disable/", staff.staff_disable_view, name="staff_disable"),
    path("staff/<uuid:organisation_id>/people/<uuid:user_id>/enable/", staff.staff_enable_view, name="staff_enable"),
    path(
        "staff/<uuid:organisation_id>/people/<uuid:user_id>/password-reset/",
        staff.staff_password_reset_view,
        name="staff_password_reset",
    ),
    path(
        "staff/<uuid:organisation_id>/people/<uuid:user_id>/mfa-reset/",
        staff.staff_mfa_reset_view,
        name="staff_mfa_reset",
    ),
    path("account/tokens/", tokens.tokens_view, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", tokens.token_revoke_view, name="token_revoke"),
]
