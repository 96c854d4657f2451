from django.http import HttpRequest, HttpResponse
from django.urls import path

from shop.urls import handler404, handler500
from shop.urls import urlpatterns as shop_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def hello(request: HttpRequest) -> HttpResponse:
    """The ladder's "bare Django view": no database, no cache, no template."""
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *shop_urlpatterns]
