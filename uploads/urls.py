from __future__ import annotations

from django.urls import path

from uploads import views

app_name = "uploads"

urlpatterns = [
    path("", views.media_list, name="list"),
    path("upload/", views.media_upload, name="upload"),
    path("media/delete/", views.media_bulk_delete, name="bulk_delete"),
    path("media/<str:media_id>/", views.media_detail, name="detail"),
    path("media/<str:media_id>/download/", views.media_download, name="download"),
    path("media/<str:media_id>/edit/", views.media_edit, name="edit"),
    path("media/<str:media_id>/check/", views.media_check, name="check"),
    path("media/<str:media_id>/delete/", views.media_delete, name="delete"),
]
