from django.urls import path

from recommendations.api import views

app_name = "recommendations_api"

urlpatterns = [
    path("", views.RecommendationsView.as_view(), name="recommendations"),
]
