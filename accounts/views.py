"""The customer's account pages. Sign-in, sign-up, e-mail and password pages are allauth's
(account/ templates); these are the shop's own: overview, profile, address book, export, delete."""

import json
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.exceptions import AccountHasOpenOrders, AddressInvalid, AddressNotFound, ProfileInvalid
from accounts.forms import AccountDeleteForm, AddressForm, ProfileForm
from accounts.models import Address, User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "HEAD"])
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(request, "accounts/overview.html", {"default_address": selectors.address_default(user=user)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"first_name": user.first_name, "last_name": user.last_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ProfileInvalid as error:
            for field, field_errors in error.errors.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("accounts:profile")
    status = 400 if form.errors else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def address_book(request: HttpRequest) -> HttpResponse:
    addresses = selectors.address_list(user=_user(request))
    return render(request, "accounts/address_list.html", {"addresses": addresses})


def _address_form_errors(form: AddressForm, error: AddressInvalid) -> None:
    for field, field_errors in error.errors.items():
        for message in field_errors:
            form.add_error(field if field in form.fields else None, message)


def _address_page(request: HttpRequest, form: AddressForm, address: Address | None) -> HttpResponse:
    status = 400 if form.errors else 200
    return render(request, "accounts/address_form.html", {"form": form, "address": address}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def address_add(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(user=_user(request), **form.cleaned_data)
        except AddressInvalid as error:
            _address_form_errors(form, error)
        else:
            messages.success(request, _("The address is saved."))
            return redirect("accounts:addresses")
    return _address_page(request, form, None)


def _address_or_404(user: User, address_id: int) -> Address:
    try:
        return selectors.address_get(user=user, address_id=address_id)
    except AddressNotFound as error:
        raise Http404(str(error)) from error


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    user = _user(request)
    address = _address_or_404(user, address_id)
    initial: dict[str, Any] = {field: getattr(address, field) for field in AddressForm.base_fields}
    form = AddressForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(user=user, address_id=address.pk, **form.cleaned_data)
        except AddressInvalid as error:
            _address_form_errors(form, error)
        except AddressNotFound as error:  # deleted in another tab meanwhile
            raise Http404(str(error)) from error
        else:
            messages.success(request, _("The address is saved."))
            return redirect("accounts:addresses")
    return _address_page(request, form, address)


@login_required
@require_POST
def address_remove(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        services.address_delete(user=_user(request), address_id=address_id)
    except AddressNotFound as error:
        raise Http404(str(error)) from error
    messages.success(request, _("The address is deleted."))
    return redirect("accounts:addresses")


@login_required
@require_POST
def address_make_default(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        services.address_set_default(user=_user(request), address_id=address_id)
    except AddressNotFound as error:
        raise Http404(str(error)) from error
    messages.success(request, _("This is now your default shipping address."))
    return redirect("accounts:addresses")


@login_required
@require_http_methods(["GET", "HEAD"])
def export(request: HttpRequest) -> HttpResponse:
    """The customer's data as a JSON download (accounts.services.account_export)."""
    data = services.account_export(user=_user(request))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json"
    )
    filename = f"pasar-account-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """Deleting the account: the page offers the export first; the customer must have signed in
    (or confirmed their password) in the last few minutes (allauth's reauthentication)."""
    user = _user(request)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=user)
        except AccountHasOpenOrders as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            return redirect("accounts:deleted")
    status = 400 if form.errors else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD"])
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")
