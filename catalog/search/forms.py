from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.search import analysis

if TYPE_CHECKING:
    from catalog.search.selectors import SearchPage

SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("bestselling", _("Best selling")),
    ("newest", _("Newest")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
]
# OpenSearch answers at most 10,000 results deep; no shopper reads 400 pages.
MAX_PAGE = 400
MAX_ATTRIBUTE_FILTERS = 20


class AttributeFilterField(forms.Field):
    """Repeated `attr=name:value` parameters, as {name: (value, ...)}."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> dict[str, tuple[str, ...]]:
        items = [str(v) for v in (value or []) if str(v).strip()]
        if len(items) > MAX_ATTRIBUTE_FILTERS:
            raise ValidationError(_("Choose at most %(n)d attribute filters.") % {"n": MAX_ATTRIBUTE_FILTERS})
        chosen: dict[str, list[str]] = {}
        for item in items:
            name, separator, choice = item.partition(":")
            if not separator or not name.strip() or not choice.strip():
                raise ValidationError(_("An attribute filter looks like name:value, e.g. colour:red."))
            chosen.setdefault(name.strip()[:60], []).append(choice.strip()[:120])
        return {name: tuple(dict.fromkeys(values)) for name, values in chosen.items()}


class SearchForm(forms.Form):
    """The search page's and the search API's parameters, read from the query string."""

    q = forms.CharField(label=_("Search"), max_length=analysis.MAX_QUERY_CHARS, required=False)
    category = forms.SlugField(label=_("Category"), max_length=140, required=False)
    price_min = forms.DecimalField(
        label=_("Min price"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=_("Max price"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    attr = AttributeFilterField(required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            raise ValidationError(_("The minimum price is above the maximum price."))
        return data

    def has_search(self) -> bool:
        """Whether there is anything to search for: words, or at least a filter."""
        data = self.cleaned_data
        return bool(
            analysis.normalise(data.get("q") or "")
            or data.get("category")
            or data.get("price_min") is not None
            or data.get("price_max") is not None
            or data.get("in_stock")
            or data.get("attr")
        )

    def search(self) -> "SearchPage":
        """Run the search the valid form describes: the results page and the API share it.

        Raises InvalidSearch (an unknown category) and django.core.paginator.InvalidPage."""
        from catalog.search.selectors import search_page

        data = self.cleaned_data
        return search_page(
            q=data["q"],
            category_slug=data["category"] or None,
            price_min=data["price_min"],
            price_max=data["price_max"],
            in_stock=data["in_stock"],
            attributes=data["attr"] or {},
            sort=data["sort"] or "relevance",
            page=data["page"] or 1,
        )


SUGGEST_MIN_CHARS = 2


class SuggestForm(forms.Form):
    q = forms.CharField(max_length=analysis.MAX_QUERY_CHARS, required=False)
