from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("slot/<slug:slot>/", views.slot_fragment, name="fragment"),
]
