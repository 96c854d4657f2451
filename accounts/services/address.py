"""The customer's address book. Checkout saves addresses here too (orders.services.checkout)."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.exceptions import AddressInvalid
from accounts.models import Address, User
from accounts.selectors import address_get

UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
PHONE = re.compile(r"\+?[0-9 ()-]{6,20}")
FIELDS = ("name", "line1", "line2", "city", "postcode", "country", "phone")


def _lock_book(user: User) -> None:
    """Serialise changes to one customer's book (two tabs setting a default at once would
    otherwise break the one-default constraint). Call inside a transaction."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def address_validate(*, address: Address) -> None:
    """Normalise (in place) and validate an unsaved or changed address with the same rules as the
    checkout form; raises AddressInvalid. Writes nothing."""
    for field in FIELDS:
        setattr(address, field, str(getattr(address, field) or "").strip())
    address.postcode = address.postcode.upper()
    address.country = address.country.upper()
    errors: dict[str, list[str]] = {}
    try:
        address.full_clean(exclude=["user"])
    except ValidationError as error:
        errors = {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    if address.country and address.country not in settings.SHOP_SHIP_TO:
        errors.setdefault("country", []).append(_("The shop does not deliver to this country."))
    if address.country == "GB" and address.postcode and not UK_POSTCODE.match(address.postcode):
        errors.setdefault("postcode", []).append(_("Enter a UK postcode, e.g. SW1A 1AA."))
    if address.phone and not PHONE.fullmatch(address.phone):
        errors.setdefault("phone", []).append(_("Enter a phone number of digits, spaces and an optional leading +."))
    if errors:
        raise AddressInvalid(errors)


def address_create(
    *,
    user: User,
    name: str,
    line1: str,
    city: str,
    postcode: str,
    country: str,
    line2: str = "",
    phone: str = "",
    is_default: bool = False,
) -> Address:
    """Add an address to the customer's book. The first address becomes the default whatever
    is_default says; is_default=True makes this one the default instead of the old one.
    One transaction that locks the customer's row. Raises AddressInvalid."""
    address = Address(
        user=user, name=name, line1=line1, line2=line2, city=city, postcode=postcode, country=country, phone=phone
    )
    address_validate(address=address)
    with transaction.atomic():
        _lock_book(user)
        has_default = Address.objects.filter(user=user, is_default=True).exists()
        if is_default and has_default:
            Address.objects.filter(user=user, is_default=True).update(is_default=False)
        address.is_default = is_default or not has_default
        address.save()
    return address


def address_update(
    *,
    user: User,
    address_id: int,
    name: str | None = None,
    line1: str | None = None,
    line2: str | None = None,
    city: str | None = None,
    postcode: str | None = None,
    country: str | None = None,
    phone: str | None = None,
    is_default: bool | None = None,
) -> Address:
    """Change the given fields of one of the customer's addresses (None: unchanged), so it serves
    both a full form and a PATCH. is_default=True makes it the default; is_default=False is
    ignored (a book with addresses always has a default: choose another one instead).
    Raises AddressNotFound (also for another customer's address) and AddressInvalid."""
    changes: dict[str, Any] = {
        "name": name, "line1": line1, "line2": line2, "city": city, "postcode": postcode, "country": country,
        "phone": phone,
    }  # fmt: skip
    with transaction.atomic():
        _lock_book(user)
        address = address_get(user=user, address_id=address_id)
        for field, value in changes.items():
            if value is not None:
                setattr(address, field, value)
        address_validate(address=address)
        if is_default and not address.is_default:
            Address.objects.filter(user=user, is_default=True).update(is_default=False)
            address.is_default = True
        address.save()
    return address


def address_delete(*, user: User, address_id: int) -> None:
    """Remove one of the customer's addresses. If it was the default, the newest remaining
    address becomes the default. Orders keep their own copy of the address they were sent to.
    Raises AddressNotFound."""
    with transaction.atomic():
        _lock_book(user)
        address = address_get(user=user, address_id=address_id)
        was_default = address.is_default
        address.delete()
        if was_default:
            newest = Address.objects.filter(user=user).order_by("-created_at", "-pk").first()
            if newest is not None:
                newest.is_default = True
                newest.save(update_fields=["is_default"])


def address_set_default(*, user: User, address_id: int) -> Address:
    """Make one of the customer's addresses the default shipping address (checkout starts from it).
    Raises AddressNotFound."""
    with transaction.atomic():
        _lock_book(user)
        address = address_get(user=user, address_id=address_id)
        if not address.is_default:
            Address.objects.filter(user=user, is_default=True).update(is_default=False)
            address.is_default = True
            address.save(update_fields=["is_default"])
    return address
