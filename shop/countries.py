"""Countries by their ISO 3166 code, named in the shopper's language (CLDR, through Babel)."""

from functools import cache

from babel import Locale
from django.conf import settings
from django.utils import translation


@cache
def _names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def country_names(language: str | None = None) -> dict[str, str]:
    """Every country's name in the given (or active) interface language, by code."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return _names(settings.SHOP_LOCALES.get(language, settings.SHOP_LOCALES[settings.LANGUAGE_CODE]))


def country_name(code: str, language: str | None = None) -> str:
    """'United Kingdom' for 'GB' (in English); an unknown code as it is."""
    return country_names(language).get(code.upper(), code) if code else ""
