"""The API under /api/: version 1 of the resources, the OpenAPI schema and its documentation.

Each app's resources are in <app>/api/urls.py. Sign-in for apps (django-allauth's headless API at
/api/v1/auth/) is included in shop/urls.py ahead of this file.
"""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from shop.api.errors import error_body


@csrf_exempt  # a 404 whatever the method: never the CSRF failure page
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /api/: a 404 in the API's error shape, not the shop's HTML page.

    An address missing its final slash is redirected for GET and HEAD, as everywhere else; for
    other methods (a redirect would lose the body) the 404 says which address was meant.
    """
    if not request.path_info.endswith("/"):
        try:
            meant = resolve(request.path_info + "/").func is not api_not_found
        except Resolver404:
            meant = False
        if meant and request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
        if meant:
            message = _("API addresses end with a slash: %(path)s") % {"path": request.path + "/"}
            return JsonResponse(error_body("not_found", message), status=404)
    return JsonResponse(error_body("not_found", _("There is no such address in the API.")), status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("v1/", include("catalog.api.urls")),
    path("v1/", include("orders.api.urls")),
    path("v1/", include("accounts.api.urls")),
    path("v1/", include("notifications.api.urls")),
    # Last: whatever nothing above answers.
    re_path(r"", api_not_found),
]
