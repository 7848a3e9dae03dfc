"""The URLs of a request under /api/v1/ (api.middleware): the API's, then the portal's, so
the API's views can link to pages (a share link) as the pages do."""

from __future__ import annotations

from django.urls import include, path

from api.v1 import urlpatterns as api_urlpatterns
from mediahub.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("api/v1/", include((api_urlpatterns(), "ninja"), namespace="api-1")),
    *portal_urlpatterns,
]
