"""Health checks answered before any other middleware, and the API's language.

The health checks come first so that the load balancer's probes, which use the instance's address
as Host and plain HTTP, are neither refused by ALLOWED_HOSTS nor redirected to HTTPS.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def _readiness() -> dict[str, str]:
    failures: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means not ready; the body names it
        failures["database"] = exc.__class__.__name__
    try:
        cache.set("readyz", "1", timeout=5)
        if cache.get("readyz") != "1":
            failures["cache"] = "value not read back"
    except Exception as exc:
        failures["cache"] = exc.__class__.__name__
    return failures


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return HttpResponse("ok", content_type="text/plain")
        if request.path == "/readyz":
            failures = _readiness()
            if failures:
                return JsonResponse({"status": "unavailable", "failing": failures}, status=503)
            return JsonResponse({"status": "ok"})
        return self.get_response(request)


class ApiLanguageMiddleware:
    """The API answers in the client's language (Accept-Language), as the shop's pages answer in
    their URL's. LocaleMiddleware gives every address outside the language prefixes the default
    language, which suits pages (their languages have their own URLs) but not apps, whose one URL
    serves every language. Placed after LocaleMiddleware, so that its Content-Language follows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        return response
