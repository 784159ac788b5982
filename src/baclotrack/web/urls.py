"""URL routes: the clinic app, sign-in, the staff-only admin and language switching."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from baclotrack.clinic.views.account import SignInView

urlpatterns = [
    path("", include("baclotrack.clinic.urls")),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through the same throttled, two-factor sign-in as everyone else.
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
]
