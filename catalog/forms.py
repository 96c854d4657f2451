from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.selectors import ProductFilters

SORT_CHOICES = [
    ("bestselling", _("Best selling")),
    ("newest", _("Newest")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
]


class ProductFilterForm(forms.Form):
    """The listing's filters and sort, read from the query string."""

    price_min = forms.DecimalField(
        label=_("Min price"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=_("Max price"), required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The minimum price is above the maximum price."))
        return data

    def filters(self) -> ProductFilters:
        data = self.cleaned_data
        return ProductFilters(
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or "bestselling",
        )
