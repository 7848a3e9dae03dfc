from __future__ import annotations

from django.urls import include, path

handler404 = "mediahub.middleware.page_not_found"

# The API (/api/v1/) resolves in api.urls: see api.middleware.ApiUrlconfMiddleware.

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    # Before uploads: its media/<id>/ would take albums' media/edit/.
    path("", include("albums.urls")),
    path("", include("uploads.urls")),
    path("", include("sharing.urls")),
    path("", include("trash.urls")),
    path("", include("activity.urls")),
]
