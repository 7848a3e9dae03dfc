from __future__ import annotations

from django.urls import path

from trash import views

app_name = "trash"

urlpatterns = [
    path("trash/", views.trash_list, name="list"),
    path("trash/empty/", views.trash_empty, name="empty"),
    path("trash/<str:media_id>/restore/", views.trash_restore, name="restore"),
    path("trash/<str:media_id>/delete/", views.trash_delete, name="delete"),
]
