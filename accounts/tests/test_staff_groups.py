"""Staff groups exist after migrate with the intended permissions, and keep them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import STAFF_GROUPS, staff_groups_sync
from accounts.tests.factories import AddressFactory, UserFactory
from orders.services.status import order_cancel
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db


def perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_migrate_created_the_three_staff_groups_with_exactly_their_permissions():
    groups = {g.name: g for g in Group.objects.all()}
    assert set(groups) >= {"Catalogue managers", "Order handlers", "Support"}
    for name, codes in STAFF_GROUPS.items():
        assert perms(groups[name]) == set(codes)
    assert "catalog.change_variant" in perms(groups["Catalogue managers"])
    assert "orders.change_order" not in perms(groups["Catalogue managers"])
    assert "orders.change_order" in perms(groups["Order handlers"])
    assert "catalog.change_variant" not in perms(groups["Order handlers"])
    assert not {p for p in perms(groups["Support"]) if p.split(".")[1].startswith(("change_order", "delete_user"))}


def test_syncing_again_is_harmless_and_puts_back_a_removed_permission(capsys):
    group = Group.objects.get(name="Order handlers")
    group.permissions.remove(Permission.objects.get(codename="change_order"))

    call_command("staff_groups")

    assert "Order handlers: 11 permissions" in capsys.readouterr().out
    assert perms(group) == set(STAFF_GROUPS["Order handlers"])
    assert Group.objects.filter(name="Order handlers").count() == 1


def test_a_permission_that_does_not_exist_stops_the_sync_with_its_name(monkeypatch):
    monkeypatch.setitem(STAFF_GROUPS, "Support", ["orders.view_nothing"])
    with pytest.raises(ImproperlyConfigured, match=r"orders\.view_nothing"):
        staff_groups_sync()


def test_an_order_handler_sees_orders_in_the_admin_but_not_the_catalogue_editor():
    handler = User.objects.create_user(email="handler@example.com", password="x", is_staff=True)
    handler.groups.add(Group.objects.get(name="Order handlers"))
    client = Client()
    client.force_login(handler)

    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_product_add")).status_code == 403
    assert client.get(reverse("admin:catalog_category_changelist")).status_code == 403


def staff_in(group: str) -> Client:
    member = User.objects.create_user(email=f"{group.split()[0].lower()}@example.com", password="x", is_staff=True)
    member.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(member)
    return client


def test_support_corrects_a_customers_address_in_admin_with_the_checkout_rules():
    address = AddressFactory(postcode="N1 9GU")
    support = staff_in("Support")
    url = reverse("admin:accounts_address_change", args=[address.pk])
    form = {"name": address.name, "line1": "5 High Street", "line2": "", "city": "London", "country": "GB", "phone": ""}

    refused = support.post(url, {**form, "postcode": "NOWHERE"})
    saved = support.post(url, {**form, "postcode": "n1 9gu"})

    assert refused.status_code == 200 and "Enter a UK postcode" in refused.content.decode()
    assert saved.status_code == 302
    address.refresh_from_db()
    assert (address.line1, address.postcode) == ("5 High Street", "N1 9GU")
    assert support.post(reverse("admin:accounts_address_delete", args=[address.pk]), {"post": "yes"}).status_code == 403


def test_deleting_a_customer_in_admin_keeps_their_orders_detached(staff_client):
    customer = UserFactory()
    order = placed_order(user=customer)
    order_cancel(order=order, reason="test")

    staff_client.post(reverse("admin:accounts_user_delete", args=[customer.pk]), {"post": "yes"})

    order.refresh_from_db()
    assert not User.objects.filter(pk=customer.pk).exists()
    assert order.user is None and order.email.endswith("@erased.invalid")
