from django.urls import path

from catalog.search import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="results"),
    path("suggest/", views.suggest, name="suggest"),
    path("click/", views.click, name="click"),
    path("recent/clear/", views.recent_clear, name="recent_clear"),
]
