from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.exceptions import AccountError, AddressInvalid
from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import Address, User
from accounts.services.address import FIELDS as ADDRESS_FIELDS
from accounts.services.address import address_validate


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "date_joined")
    search_fields = ("email", "first_name", "last_name", "source_customer_id")
    readonly_fields = ("source_customer_id",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Imported data"), {"fields": ("source_customer_id",)}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        """The same deletion as the customer's own: orders kept, detached and without contact details."""
        try:
            services.account_delete(user=obj)
        except AccountError as error:
            self.message_user(request, f"{obj}: {error}", messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self.delete_model(request, user)


class AddressAdminForm(forms.ModelForm[Address]):
    class Meta:
        model = Address
        fields = ADDRESS_FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        candidate = Address(**{field: data.get(field, "") for field in ADDRESS_FIELDS})
        try:
            address_validate(address=candidate)
        except AddressInvalid as error:
            for field, field_errors in error.errors.items():
                for message in field_errors:
                    self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    """Support corrects an address here; customers keep their own book on the site."""

    form = AddressAdminForm

    list_display = ("name", "user", "line1", "city", "postcode", "country", "is_default")
    list_select_related = ("user",)
    search_fields = ("user__email", "name", "postcode", "line1")
    fields = ("user", *ADDRESS_FIELDS, "is_default", "created_at")
    readonly_fields = ("user", "is_default", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Address, form: forms.ModelForm[Address], change: bool) -> None:
        changes: dict[str, Any] = {field: form.cleaned_data[field] for field in ADDRESS_FIELDS}
        services.address_update(user=obj.user, address_id=obj.pk, **changes)

    def delete_model(self, request: HttpRequest, obj: Address) -> None:
        services.address_delete(user=obj.user, address_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Address]) -> None:
        for address in queryset.select_related("user"):
            services.address_delete(user=address.user, address_id=address.pk)
