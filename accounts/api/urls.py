from django.urls import path

from accounts.api import views

app_name = "accounts_api"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/addresses/", views.AddressListView.as_view(), name="addresses"),
    path("me/addresses/<int:address_id>/", views.AddressDetailView.as_view(), name="address"),
]
