"""The account pages cost the same number of queries whatever the customer has saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AddressFactory, UserFactory
from accounts.tests.flows import reauthenticate, sign_in
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.fixture
def customers(client):
    """Two customers, one with little and one with a lot, each with their own client."""
    from django.test import Client

    clients = []
    for count in (1, 4):
        user = UserFactory()
        for _ in range(count):
            AddressFactory(user=user)
            placed_order(user=user)
        each = Client()
        sign_in(each, user.email)
        reauthenticate(each)
        clients.append(each)
    return clients


# The user (the session is in the cache), then what the page shows. The export: e-mail addresses,
# address book, orders, their lines, their status history, recent searches, notification profile,
# choices, devices.
EXPECTED = {
    "accounts:overview": 2,
    "accounts:profile": 1,
    "accounts:addresses": 2,
    "accounts:export": 10,
    "accounts:delete": 1,
    "account_email": 5,
    "account_change_password": 1,
}


@pytest.mark.parametrize("name", EXPECTED)
def test_an_account_page_costs_the_same_queries_for_one_or_many_addresses_and_orders(customers, name):
    few, many = customers
    url = reverse(name)
    queries(few, url)  # warm: the first request of a session also loads it

    assert queries(few, url) == queries(many, url) == EXPECTED[name]


def test_editing_an_address_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = UserFactory(email="grace@example.com")
    addresses = [AddressFactory(user=user) for _ in range(5)]
    sign_in(client, "grace@example.com")
    client.get(reverse("accounts:overview"))
    with django_assert_max_num_queries(6):
        client.get(reverse("accounts:address_edit", args=[addresses[0].pk]))
