from decimal import Decimal, InvalidOperation

from django import template

from shop.countries import country_name
from shop.money import money_format

register = template.Library()


@register.filter
def money(value: object, currency: str) -> str:
    """A Decimal string from an event's context, formatted in the active language: '£6.78'."""
    try:
        return money_format(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def country(code: str) -> str:
    """A country's name in the active language from its ISO code: 'GB' is 'United Kingdom'."""
    return country_name(code)
