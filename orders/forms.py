import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.services.address import PHONE, UK_POSTCODE
from orders.payments import payment_backends
from orders.selectors import shipping_methods_available
from shop.countries import country_names


def country_choices() -> list[tuple[str, str]]:
    """The countries the shop ships to, named in the shopper's language (CLDR, through Babel)."""
    names = country_names()
    return sorted(((code, names.get(code, code)) for code in settings.SHOP_SHIP_TO), key=lambda item: item[1])


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=64, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, initial=1)


class LineQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=999)


class AddressFieldsForm(forms.Form):
    """A shipping address's fields, as checkout and the address book both ask for them, with the
    countries the shop ships to."""

    name = forms.CharField(label=_("Full name"), max_length=120)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=200, required=False)
    city = forms.CharField(label=_("Town or city"), max_length=100)
    postcode = forms.CharField(label=_("Postcode"), max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["country"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = country_choices()
        self.initial.setdefault("country", settings.SHOP_SHIP_TO[0] if settings.SHOP_SHIP_TO else "")


class CheckoutForm(AddressFieldsForm):
    field_order = ["email"]  # then the address, then delivery and payment

    email = forms.EmailField(label=_("E-mail"), help_text=_("For the order confirmation."))
    shipping_method = forms.ChoiceField(label=_("Delivery"), widget=forms.RadioSelect)
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    save_address = forms.BooleanField(label=_("Save this address in my address book"), required=False, initial=True)

    def __init__(self, *args: Any, customer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shipping = self.fields["shipping_method"]
        assert isinstance(shipping, forms.ChoiceField)
        shipping_choices = [(m.code, m.name) for m in shipping_methods_available()]
        shipping.choices = shipping_choices
        payment = self.fields["payment_method"]
        assert isinstance(payment, forms.ChoiceField)
        payment_choices = [(code, gettext(backend.name)) for code, backend in payment_backends().items()]
        payment.choices = payment_choices
        # The first delivery and payment options are chosen until the shopper picks another.
        for name, choices in (("shipping_method", shipping_choices), ("payment_method", payment_choices)):
            if choices and not self.initial.get(name):
                self.initial[name] = choices[0][0]
        if not customer:
            del self.fields["save_address"]

    def clean_postcode(self) -> str:
        return str(self.cleaned_data["postcode"]).strip().upper()

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone", "")).strip()
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError(_("Enter a phone number of digits, spaces and an optional leading +."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("country") == "GB" and data.get("postcode") and not UK_POSTCODE.match(data["postcode"]):
            self.add_error("postcode", _("Enter a UK postcode, e.g. SW1A 1AA."))
        return data


class TestCardForm(forms.Form):
    number = forms.CharField(label=_("Card number"), max_length=23)
    name = forms.CharField(label=_("Name on card"), max_length=100)

    def clean_number(self) -> str:
        digits = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not digits.isdigit() or not 12 <= len(digits) <= 19:
            raise forms.ValidationError(_("Enter the card number printed on the card."))
        return digits
