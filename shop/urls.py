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
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/search/", include("catalog.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("account/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("search/", include("catalog.search.urls")),
    prefix_default_language=False,
)

if not settings.AWS_STORAGE_BUCKET_NAME:
    # Local mode keeps uploads on disk; in production they are on S3 behind CloudFront.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", static_serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"
