"""Referral pages. Only opaque UUIDs appear in these URLs; a referral code is looked up by POST."""

from django.urls import path

from cbtc.referrals import new_views, views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_box_view, name="box"),
    path("referrals/find/", views.referral_find_view, name="find"),
    path("referrals/figures/", views.referral_figures_view, name="figures"),
    path("referrals/<uuid:referral_id>/", views.referral_detail_view, name="detail"),
    path("referrals/<uuid:referral_id>/<slug:step>/", views.referral_step_view, name="step"),
    path("clients/<uuid:client_id>/referrals/new/", new_views.referral_new_view, name="new"),
]
