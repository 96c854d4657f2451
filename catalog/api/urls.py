from django.urls import path

from catalog.api import views

app_name = "search_api"

urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("suggest/", views.SuggestView.as_view(), name="suggest"),
]
