from django.urls import path

from notifications.api import views

app_name = "notifications_api"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="devices"),
    path("devices/<str:token>/", views.DeviceDetailView.as_view(), name="device"),
]
