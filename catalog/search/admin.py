"""Staff screens for search: synonyms, the search log, and its report (imported by catalog.admin)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from catalog.search import analytics, services
from catalog.search.models import SearchQuery, SearchSynonym

REPORT_PERIODS = (7, 30, 90)
CHART_HEIGHT = 120
CHART_BAR = 12


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin[SearchSynonym]):
    list_display = ("terms", "updated_at")
    search_fields = ("terms",)

    def save_model(self, request: HttpRequest, obj: SearchSynonym, form: Any, change: bool) -> None:
        services.synonym_save(synonym=obj)

    def delete_model(self, request: HttpRequest, obj: SearchSynonym) -> None:
        services.synonym_delete(synonym=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SearchSynonym]) -> None:
        for synonym in queryset:
            services.synonym_delete(synonym=synonym)


@admin.register(SearchQuery)
class SearchQueryAdmin(admin.ModelAdmin[SearchQuery]):
    """The search log, read-only, with a report of what shoppers look for and do not find."""

    list_display = ("created_at", "query", "results", "backend", "user")
    list_filter = ("backend", "created_at")
    search_fields = ("normalised",)
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    change_list_template = "admin/catalog/searchquery/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SearchQuery | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        report = path("report/", self.admin_site.admin_view(self.report_view), name="catalog_searchquery_report")
        return [report, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {**(extra_context or {}), "report_url": reverse("admin:catalog_searchquery_report")}
        return super().changelist_view(request, extra)

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        try:
            days = int(request.GET.get("days", "30"))
        except ValueError:
            days = 30
        days = days if days in REPORT_PERIODS else 30
        report = analytics.search_report(days=days)
        return TemplateResponse(
            request,
            "admin/catalog/searchquery/report.html",
            {
                **self.admin_site.each_context(request),
                "title": _("What shoppers search for"),
                "opts": self.model._meta,
                "report": report,
                "periods": REPORT_PERIODS,
                "chart": _chart(report),
            },
        )


def _chart(report: analytics.SearchReport) -> dict[str, Any]:
    """Bars for an inline SVG: searches per day, with the part that found nothing drawn over them."""
    peak = max((d.searches for d in report.trend), default=0) or 1
    bars = []
    for n, day in enumerate(report.trend):
        height = round(day.searches * CHART_HEIGHT / peak, 1)
        missing = round(day.no_results * CHART_HEIGHT / peak, 1)
        bars.append(
            {
                "x": n * CHART_BAR,
                "y": CHART_HEIGHT - height,
                "height": height,
                "missing_y": CHART_HEIGHT - missing,
                "missing": missing,
                "day": day,
            }
        )
    return {"bars": bars, "width": len(bars) * CHART_BAR, "height": CHART_HEIGHT, "bar": CHART_BAR - 2, "peak": peak}
