from decimal import Decimal

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url

from shop.money import money_format

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str | None = None) -> str:
    """{{ variant.price|money:variant.currency }}, formatted for the active language."""
    if amount is None:
        return ""
    return money_format(amount, currency or settings.SHOP_CURRENCY)


@register.simple_tag
def language_links(request: HttpRequest) -> list[tuple[str, str, str]]:
    """(code, name, url) for each interface language: the same page in that language."""
    path = request.get_full_path()
    return [(code, str(name), translate_url(path, code)) for code, name in settings.LANGUAGES]
