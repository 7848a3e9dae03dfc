from __future__ import annotations

from django.urls import path

from albums import views

app_name = "albums"

urlpatterns = [
    path("albums/", views.album_list, name="list"),
    path("albums/new/", views.album_create, name="create"),
    path("albums/<str:album_id>/", views.album_detail, name="detail"),
    path("albums/<str:album_id>/edit/", views.album_edit, name="edit"),
    path("albums/<str:album_id>/delete/", views.album_delete, name="delete"),
    path("albums/<str:album_id>/items/<str:media_id>/remove/", views.album_remove_item, name="remove_item"),
    path("media/edit/", views.media_bulk_edit, name="bulk_edit"),
    path("media/<str:media_id>/albums/add/", views.album_add_item, name="add_item"),
]
