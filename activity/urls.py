from __future__ import annotations

from django.urls import path

from activity import views

app_name = "activity"

urlpatterns = [
    path("activity/", views.activity_list, name="list"),
]
