from django.urls import path

from notifications import views

app_name = "notifications"

# Shop pages (inside the language prefix).
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
