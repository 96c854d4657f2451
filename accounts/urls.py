from allauth.account import views as allauth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.overview, name="overview"),
    # The names the shop used before allauth; the same pages as allauth's account_login/account_logout.
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("addresses/", views.address_book, name="addresses"),
    path("addresses/new/", views.address_add, name="address_add"),
    path("addresses/<int:address_id>/", views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", views.address_remove, name="address_delete"),
    path("addresses/<int:address_id>/default/", views.address_make_default, name="address_default"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]
