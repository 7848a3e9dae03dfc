from __future__ import annotations

from django.urls import include, path

from api import v1

handler404 = "mediahub.middleware.page_not_found"

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("api/v1/", v1.urls()),
    path("", include("uploads.urls")),
    path("", include("sharing.urls")),
]
