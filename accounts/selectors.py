"""Reads of the accounts app, shared by the pages and the API."""

from django.db.models import QuerySet

from accounts.exceptions import AddressNotFound
from accounts.models import Address, User


def address_list(*, user: User) -> QuerySet[Address]:
    """The customer's address book, the default first, then the newest. One query."""
    return Address.objects.filter(user=user).order_by("-is_default", "-created_at", "-pk")


def address_get(*, user: User, address_id: int) -> Address:
    """One address of this customer's. Raises AddressNotFound for an unknown id and for another
    customer's address alike, so ids reveal nothing. One query."""
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressNotFound()
    return address


def address_default(*, user: User) -> Address | None:
    """The default shipping address, if the customer has one. One query."""
    return Address.objects.filter(user=user, is_default=True).first()
