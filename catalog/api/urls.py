from django.urls import path

from catalog.api import views

app_name = "catalog_api"

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    path("products/", views.ProductListView.as_view(), name="products"),
    path("products/<str:slug>/", views.ProductDetailView.as_view(), name="product"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("search/suggest/", views.SuggestView.as_view(), name="suggest"),
]
