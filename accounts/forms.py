from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class UserCreationForm(DjangoUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(DjangoUserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AddressForm(forms.Form):
    """The fields of accounts.Address; accounts.services.address validates them (with the
    checkout's rules) and the view shows its errors on the fields."""

    name = forms.CharField(label=_("Full name"), max_length=120)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address line 2 (optional)"), max_length=200, required=False)
    city = forms.CharField(label=_("Town or city"), max_length=100)
    postcode = forms.CharField(label=_("Postcode"), max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False)
    is_default = forms.BooleanField(label=_("Use as my default shipping address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from orders.forms import country_choices

        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = country_choices()
        self.initial.setdefault("country", settings.SHOP_SHIP_TO[0] if settings.SHOP_SHIP_TO else "")


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account, address book and preferences are deleted for good."), required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# allauth's forms, in the shop's words ("E-mail", as at checkout). Wired by ACCOUNT_FORMS.
class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me on this device")
            self.fields["remember"].help_text = _("Stay signed in for two weeks. Leave it off on a shared computer.")


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail")
        self.fields["email"].help_text = _("We send you a link to confirm it.")


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail")
