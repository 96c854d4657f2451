from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page
from django.views.static import serve as static_serve

from catalog.sitemaps import sitemaps
from orders import views as order_views
from shop import views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        cache_page(3600)(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("admin/", admin.site.urls),
    # Providers post here without a language prefix or a CSRF token; each request is verified.
    path("payments/webhooks/<str:provider>/", order_views.payment_webhook, name="payment_webhook"),
    # SNS posts SES bounces/complaints and inbound SMS here; each message's signature is verified.
    path("notifications/hooks/", include("notifications.hooks_urls")),
    # Sign-up, sign-in, verification and reset for the apps (django-allauth headless; docs/accounts.md).
    path("api/v1/auth/", include("allauth.headless.urls")),
    path("api/v1/recommendations/", include("recommendations.api.urls")),
    # The API (docs/api.md): /api/v1/ resources, /api/schema/ (OpenAPI 3) and /api/docs/. Last of the
    # /api/ routes: it answers any other /api/ address with a JSON 404.
    path("api/", include("shop.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("search/", include("catalog.search.urls")),
    path("recommendations/", include("recommendations.urls")),
    prefix_default_language=False,
)

if not settings.AWS_STORAGE_BUCKET_NAME:
    # Local mode keeps uploads on disk; in production they are on S3 behind CloudFront.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", static_serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"
