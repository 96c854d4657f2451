from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.forms import UserCreationForm as DjangoUserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from orders.forms import AddressFieldsForm


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


class AddressForm(AddressFieldsForm):
    """The fields of accounts.Address; accounts.services.address validates them (with the
    checkout's rules) and the view shows its errors on the fields."""

    is_default = forms.BooleanField(label=_("Use as my default shipping address"), required=False)


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
