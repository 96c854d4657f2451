"""Shapes shared by every API resource: money and pages."""

from decimal import Decimal
from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.money import money_round


class MoneySerializer(serializers.Serializer[Any]):
    """An amount of money: never a float."""

    amount = serializers.CharField(help_text="A decimal number as a string, to the currency's minor unit: '12.50'.")
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217 code: 'GBP'.")


def money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    """{"amount": "2.50", "currency": "GBP"}, or None for no amount."""
    if amount is None:
        return None
    return {"amount": str(money_round(Decimal(amount), currency)), "currency": currency}


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.Field[Any, Any, Any, Any]):
    """Reads (amount, currency) from the object through `source` as a tuple-returning callable."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, str] | None:
        amount, currency = value
        return money(amount, currency)


def page_url(request: HttpRequest, number: int | None) -> str | None:
    if number is None:
        return None
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(query.lists()), doseq=True)


def page_data(request: HttpRequest, page: Page[Any], results: list[Any]) -> dict[str, Any]:
    """A page of results: page numbers with stable ordering (every sort ends on the primary key)."""
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": page.paginator.per_page,
        "next": page_url(request, page.next_page_number() if page.has_next() else None),
        "previous": page_url(request, page.previous_page_number() if page.has_previous() else None),
        "results": results,
    }


def paginated(item: type[serializers.BaseSerializer[Any]], name: str) -> type[serializers.Serializer[Any]]:
    """The schema of a page of `item`s (for the documentation; page_data builds the data)."""
    fields = {
        "count": serializers.IntegerField(help_text="Results on all pages."),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    }
    return type(name, (serializers.Serializer,), fields)
