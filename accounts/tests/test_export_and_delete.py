"""A customer downloads their data, then deletes the account; the orders stay in the books."""

import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.exceptions import AccountHasOpenOrders
from accounts.models import Address, User
from accounts.tests.factories import PASSWORD, AddressFactory, UserFactory
from accounts.tests.flows import reauthenticate, sign_in
from catalog.search.models import RecentSearch
from notifications.models import Device, Preference, Profile
from orders.models import Cart, Order
from orders.services.status import order_cancel, order_deliver, order_mark_paid, order_process, order_ship
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db


def delivered_order(user: User) -> Order:
    order = placed_order(user=user, payment_method="bank")
    order_mark_paid(order=order)
    order_process(order=order)
    order_ship(order=order, carrier="Royal Mail", tracking_number="RM123")
    return order_deliver(order=order)


@pytest.fixture
def grace(client):
    user = UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    AddressFactory(user=user, line1="2 Mill Lane", is_default=True)
    Profile.objects.create(user=user, phone="+447911123456", language="id")
    Preference.objects.create(user=user, kind="marketing", channel="email", enabled=True)
    Device.objects.create(user=user, platform="ios", token="device-token-1")
    RecentSearch.objects.create(user=user, query="Lanterns", normalised="lantern", searched_at=timezone.now())
    sign_in(client, "grace@example.com")
    return user


def test_the_export_holds_profile_addresses_orders_with_lines_and_notification_choices(client, grace):
    order = delivered_order(grace)

    response = client.get(reverse("accounts:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="pasar-account-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"]["email"] == "grace@example.com" and data["profile"]["last_name"] == "Hopper"
    assert data["email_addresses"] == [{"email": "grace@example.com", "verified": True, "primary": True}]
    assert [a["line1"] for a in data["addresses"]] == ["2 Mill Lane"]
    [exported] = data["orders"]
    assert exported["number"] == order.number and exported["status"] == "delivered"
    assert exported["total"] == str(order.total) and isinstance(exported["total"], str)
    assert exported["lines"][0]["quantity"] == 2 and exported["lines"][0]["unit_price"] == "3.39"
    assert [e["to"] for e in exported["status_history"]][-1] == "delivered"
    assert data["notifications"]["sms_number"] == "+447911123456"
    assert data["notifications"]["language"] == "id"
    assert data["notifications"]["preferences"] == [{"kind": "marketing", "channel": "email", "enabled": True}]
    assert data["notifications"]["devices"][0]["platform"] == "ios"
    assert "token" not in json.dumps(data["notifications"]["devices"])
    assert [s["query"] for s in data["recent_searches"]] == ["Lanterns"]


def test_deleting_the_account_keeps_its_orders_detached_and_without_contact_details(client, grace):
    order = delivered_order(grace)
    Order.objects.filter(pk=order.pk).update(ship_phone="+447911123456")
    old_token = order.access_token

    asked = client.get(reverse("accounts:delete"))  # allauth asks for the password again first
    assert asked.url.startswith(reverse("account_reauthenticate"))
    page = client.post(asked.url, {"password": PASSWORD}, follow=True)
    assert page.redirect_chain[-1][0] == reverse("accounts:delete")
    assert reverse("accounts:export") in page.content.decode()
    done = client.post(reverse("accounts:delete"), {"confirm": "on"}, follow=True)

    assert done.redirect_chain[-1][0] == reverse("accounts:deleted")
    assert "Your account is deleted" in done.content.decode()
    assert not User.objects.filter(email="grace@example.com").exists()
    assert not Address.objects.exists() and not EmailAddress.objects.exists()
    assert not Profile.objects.exists() and not Preference.objects.exists() and not Device.objects.exists()
    assert not Cart.objects.filter(user__isnull=False).exists() and not RecentSearch.objects.exists()
    order.refresh_from_db()
    assert order.user is None
    assert order.email == f"erased-{order.number.lower()}@erased.invalid"
    assert order.ship_phone == "" and order.access_token != old_token
    assert (order.total, order.status, order.ship_postcode) == (Decimal("11.73"), "delivered", "N1 9GU")
    assert order.lines.count() == 1
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "grace@example.com").status_code == 200  # no such account any more


def test_an_account_with_an_order_still_on_its_way_cannot_be_deleted_yet(client, grace):
    order = placed_order(user=grace, payment_method="cod")
    reauthenticate(client)

    refused = client.post(reverse("accounts:delete"), {"confirm": "on"})

    assert refused.status_code == 400
    assert order.number in refused.content.decode()
    assert User.objects.filter(pk=grace.pk).exists()
    order_cancel(order=order, reason="changed my mind")
    services.account_delete(user=grace)
    assert not User.objects.filter(pk=grace.pk).exists()


def test_deleting_needs_the_confirmation_box(client, grace):
    reauthenticate(client)
    refused = client.post(reverse("accounts:delete"), {})
    assert refused.status_code == 400 and refused.context["form"].errors["confirm"]
    assert User.objects.filter(pk=grace.pk).exists()


def test_deleting_asks_for_the_password_again_after_a_while(client, grace, settings):
    reauthenticate(client)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    asked = client.post(reverse("accounts:delete"), {"confirm": "on"})
    assert asked.status_code == 302 and asked.url.startswith(reverse("account_reauthenticate"))
    assert User.objects.filter(pk=grace.pk).exists()


def test_the_services_refuse_while_orders_are_open():
    user = UserFactory()
    order = placed_order(user=user)
    with pytest.raises(AccountHasOpenOrders) as error:
        services.account_delete(user=user)
    assert error.value.numbers == [order.number]
