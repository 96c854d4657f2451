"""Money: Decimal amounts next to an ISO 4217 currency code; never floats.

Rounding lives here alone, with an explicit mode and each currency's own number of decimal places
from CLDR through Babel, and so does formatting for the shopper's language.
"""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django.conf import settings
from django.utils import translation


def currency_places(currency: str) -> int:
    return int(get_currency_precision(currency))


def money_round(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, halves away from zero (the usual retail rule)."""
    quantum = Decimal(1).scaleb(-currency_places(currency))
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def money_format(amount: Decimal, currency: str, language: str | None = None) -> str:
    """Format for display in the given (or active) interface language, e.g. '£2.55', 'Rp25.500,00'."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    locale = settings.SHOP_LOCALES.get(language, settings.SHOP_LOCALES[settings.LANGUAGE_CODE])
    return format_currency(money_round(amount, currency), currency, locale=locale)
