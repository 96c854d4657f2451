"""The address book: pages and services, and nobody reaches another customer's addresses."""

from typing import Any

import pytest
from django.urls import reverse

from accounts import selectors, services
from accounts.exceptions import AddressInvalid, AddressNotFound
from accounts.models import Address
from accounts.tests.factories import AddressFactory, UserFactory
from accounts.tests.flows import sign_in

pytestmark = pytest.mark.django_db
HOME: dict[str, Any] = {"name": "Grace Hopper", "line1": "2 Mill Lane", "line2": "", "city": "Leeds", "postcode": "ls1 4ap", "country": "GB", "phone": ""}  # fmt: skip


@pytest.fixture
def grace(client):
    user = UserFactory(email="grace@example.com")
    sign_in(client, "grace@example.com")
    return user


def test_a_customer_adds_edits_makes_default_and_deletes_addresses(client, grace):
    assert "You have no saved addresses" in client.get(reverse("accounts:addresses")).content.decode()

    client.post(reverse("accounts:address_add"), HOME)
    client.post(
        reverse("accounts:address_add"), {**HOME, "line1": "9 Dock Road", "city": "Hull", "postcode": "HU1 1AA"}
    )
    home, dock = Address.objects.filter(user=grace).order_by("pk")
    assert (home.is_default, dock.is_default) == (True, False)  # the first address is the default
    assert home.postcode == "LS1 4AP"

    client.post(reverse("accounts:address_edit", args=[dock.pk]), {**HOME, "line1": "10 Dock Road", "city": "Hull", "postcode": "HU1 1AA", "is_default": "on"})  # fmt: skip
    home.refresh_from_db()
    dock.refresh_from_db()
    assert (dock.line1, dock.is_default, home.is_default) == ("10 Dock Road", True, False)

    client.post(reverse("accounts:address_default", args=[home.pk]))
    assert selectors.address_default(user=grace) == home

    page = client.get(reverse("accounts:addresses")).content.decode()
    assert page.index("2 Mill Lane") < page.index("10 Dock Road")  # the default first

    client.post(reverse("accounts:address_delete", args=[home.pk]))
    assert list(Address.objects.filter(user=grace).values_list("line1", "is_default")) == [("10 Dock Road", True)]


def test_a_bad_address_is_shown_again_with_the_mistakes(client, grace):
    refused = client.post(reverse("accounts:address_add"), {**HOME, "postcode": "NOT A CODE", "phone": "call me"})
    empty = client.post(reverse("accounts:address_add"), {**HOME, "name": ""})

    assert refused.status_code == empty.status_code == 400
    assert refused.context["form"].errors.keys() == {"postcode", "phone"}
    assert "Enter a UK postcode" in refused.content.decode()
    assert empty.context["form"].errors.keys() == {"name"}
    assert not Address.objects.exists()


def test_another_customers_address_is_not_found_on_every_page(client, grace):
    theirs = AddressFactory(line1="7 Secret Street")

    for name in ("address_edit",):
        assert client.get(reverse(f"accounts:{name}", args=[theirs.pk])).status_code == 404
    for name in ("address_edit", "address_delete", "address_default"):
        assert client.post(reverse(f"accounts:{name}", args=[theirs.pk]), HOME).status_code == 404
    assert client.get(reverse("accounts:address_edit", args=[987654])).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.line1, theirs.is_default) == ("7 Secret Street", False)
    assert "7 Secret Street" not in client.get(reverse("accounts:addresses")).content.decode()


def test_address_pages_ask_strangers_to_sign_in(client):
    address = AddressFactory()
    for url in (reverse("accounts:addresses"), reverse("accounts:address_edit", args=[address.pk])):
        assert client.get(url).url.startswith(reverse("account_login"))
    assert client.post(reverse("accounts:address_delete", args=[address.pk])).status_code == 302
    assert Address.objects.filter(pk=address.pk).exists()


def test_the_services_refuse_another_customers_address_and_invalid_fields():
    owner, other = UserFactory(), UserFactory()
    address = services.address_create(user=owner, **{**HOME, "postcode": "LS1 4AP"})

    for call in (
        lambda: services.address_update(user=other, address_id=address.pk, city="York"),
        lambda: services.address_delete(user=other, address_id=address.pk),
        lambda: services.address_set_default(user=other, address_id=address.pk),
        lambda: selectors.address_get(user=other, address_id=address.pk),
    ):
        with pytest.raises(AddressNotFound):
            call()
    with pytest.raises(AddressInvalid) as error:
        services.address_update(user=owner, address_id=address.pk, country="ZZ", phone="call me")
    assert error.value.errors.keys() == {"country", "phone"}
    address.refresh_from_db()
    assert address.country == "GB"


def test_a_partial_update_changes_only_the_fields_given_and_false_default_is_ignored():
    owner = UserFactory()
    address = services.address_create(user=owner, **HOME)

    services.address_update(user=owner, address_id=address.pk, city="York", postcode="YO1 7HH", is_default=False)

    address.refresh_from_db()
    assert (address.name, address.city, address.postcode, address.is_default) == (
        "Grace Hopper",
        "York",
        "YO1 7HH",
        True,
    )


def test_creating_a_default_address_moves_the_default_and_deleting_it_promotes_the_newest():
    owner = UserFactory()
    first = services.address_create(user=owner, **HOME)
    second = services.address_create(user=owner, **{**HOME, "line1": "3 Mill Lane"})
    third = services.address_create(user=owner, **{**HOME, "line1": "4 Mill Lane"}, is_default=True)

    assert list(selectors.address_list(user=owner)) == [third, second, first]
    services.address_delete(user=owner, address_id=third.pk)
    assert selectors.address_default(user=owner) == second
