from decimal import ROUND_FLOOR, Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms, template
from django.conf import settings
from django.core.paginator import Page
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info

from catalog.forms import ProductFilterForm
from catalog.models import stock_level
from shop.countries import country_name
from shop.money import money_format

register = template.Library()

# Query parameters that choose what a shop page shows. Links built for a cached page keep only
# these: anything else in the address (tracking tags, junk) would otherwise be stored in the page
# and handed to every later visitor.
_PAGE_PARAMETERS = frozenset({*ProductFilterForm.base_fields, "variant"})


@register.filter
def money(amount: Decimal | str | None, currency: str | None = None) -> str:
    """{{ variant.price|money:variant.currency }}, formatted for the active language. Accepts the
    Decimal strings that JSON contexts carry; anything that is not an amount shows as nothing."""
    if amount is None or amount == "":
        return ""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except ArithmeticError:
        return ""
    return money_format(value, currency or settings.SHOP_CURRENCY)


@register.filter
def country(code: str) -> str:
    """A country's name in the active language from its ISO code: 'GB' is 'United Kingdom'."""
    return country_name(code)


@register.filter
def percent_off(price: Decimal | None, compare_at: Decimal | None) -> int:
    """{{ variant.price|percent_off:variant.compare_at_price }}: whole percent saved, rounded down
    (never overstating a discount); 0 when the price is not below the compare-at price."""
    if price is None or not compare_at or compare_at <= price:
        return 0
    return int(((compare_at - price) * 100 / compare_at).to_integral_value(rounding=ROUND_FLOOR))


@register.filter
def stock_state(stock: int) -> str:
    """'out', 'low' or 'in' (catalog.models.stock_level), for wording and styling stock."""
    return stock_level(stock)


@register.simple_tag
def language_links(request: HttpRequest) -> list[tuple[str, str, str]]:
    """(code, name, url) for each interface language: the same page in that language.

    The name is the language's own ("Bahasa Indonesia", "English"), as a reader of that language
    looks for it.
    """
    query = urlencode([(k, v) for k, v in request.GET.items() if k in _PAGE_PARAMETERS and v])
    path = f"{request.path}?{query}" if query else request.path
    return [(code, get_language_info(code)["name_local"], translate_url(path, code)) for code, _ in settings.LANGUAGES]


@register.simple_tag
def page_url(form: forms.Form, number: int) -> str:
    """The query string for page `number` of a filtered listing, e.g. '?sort=price&page=2'.

    Built from the form's cleaned values, not the raw query string, for the reason given above;
    an invalid form (the listing was shown unfiltered) gives no filters.
    """
    params: list[tuple[str, str]] = []
    if form.is_valid():
        for name, value in form.cleaned_data.items():
            if name == "page" or value in (None, "", False):
                continue
            params.append((name, "on" if value is True else str(value)))
    if number > 1:
        params.append(("page", str(number)))
    return "?" + urlencode(params) if params else "?"


@register.simple_tag
def page_numbers(page: Page[Any]) -> list[int | None]:
    """Page numbers to link to around the current one, None where a run is left out (…)."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [n if isinstance(n, int) else None for n in numbers]
