from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("tokens/", views.token_list_view, name="tokens"),
    path("tokens/<str:token_hash>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("users/", views.user_list_view, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<str:username>/", views.user_detail_view, name="user_detail"),
    path("users/<str:username>/role/", views.user_role_view, name="user_role"),
    path("users/<str:username>/active/", views.user_active_view, name="user_active"),
    path("users/<str:username>/password/", views.user_password_view, name="user_password"),
]
