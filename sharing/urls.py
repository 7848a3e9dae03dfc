from __future__ import annotations

from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("media/<str:media_id>/shares/new/", views.share_create_view, name="create"),
    path("shares/", views.share_list_view, name="list"),
    path("shares/<str:token_hash>/withdraw/", views.share_revoke_view, name="revoke"),
    path("s/<str:token>/", views.share_page_view, name="page"),
    path("s/<str:token>/download/", views.share_download_view, name="download"),
]
