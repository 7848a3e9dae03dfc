from __future__ import annotations

from django.urls import path

from uploads import api, views

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
    path("api/uploads/", api.upload_create, name="api_create"),
    path("api/uploads/<str:media_id>/", api.upload_abort, name="api_abort"),
    path("api/uploads/<str:media_id>/parts/", api.upload_parts, name="api_parts"),
    path("api/uploads/<str:media_id>/complete/", api.upload_complete, name="api_complete"),
    path("api/uploads/<str:media_id>/finish/", api.upload_finish, name="api_finish"),
    path("api/uploads/<str:media_id>/resume/", api.upload_resume, name="api_resume"),
]
