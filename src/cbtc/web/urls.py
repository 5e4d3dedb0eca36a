from django.urls import path

from cbtc.web import views, views_auth

app_name = "web"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views_auth.login_view, name="login"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("account/verify/", views_auth.mfa_view, name="mfa"),
    path("account/password/", views_auth.password_change_view, name="password_change"),
    path("audit/", views.audit_view, name="audit"),
]
