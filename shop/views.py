from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.http import require_GET

from catalog.selectors import category_tree


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri(reverse("django.contrib.sitemaps.views.sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /cart/",
        "Disallow: /checkout/",
        "Disallow: /account/",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The navigation helps a lost shopper on; it is one query.
    return render(request, "404.html", {"category_tree": category_tree()}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database: whatever broke must not break the error page too.
    context: dict[str, Any] = {}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
