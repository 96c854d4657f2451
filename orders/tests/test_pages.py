import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from catalog.tests.factories import VariantFactory
from orders.models import Order
from orders.tests.factories import placed_order, standard_shipping

pytestmark = pytest.mark.django_db
ORIGIN = {"Origin": "http://testserver"}
DETAILS = {
    "email": "ada@example.com", "name": "Ada Lovelace", "line1": "1 High Street", "line2": "", "city": "London",
    "postcode": "n1 9gu", "country": "GB", "phone": "", "shipping_method": "standard", "payment_method": "cod",
}  # fmt: skip


def add(client: Client, sku: str, quantity: int = 1):
    return client.post(reverse("orders:cart_add"), {"sku": sku, "quantity": quantity}, headers=ORIGIN, follow=True)


def checkout(client: Client, **changes: str):
    standard_shipping()
    response = client.post(reverse("orders:checkout"), {**DETAILS, **changes})
    assert response.status_code == 302, response.content.decode()[:3000]
    review = client.get(reverse("orders:review"))
    total = review.context["quote"].total
    return client.post(reverse("orders:place"), {"expected_total": str(total)}, follow=True)


def test_a_guest_adds_changes_a_quantity_checks_out_with_cash_on_delivery_and_sees_the_order(client):
    mug = VariantFactory(sku="22632", price=Decimal("2.10"), stock=10, product__title="Red Retrospot Mug")
    bag = VariantFactory(sku="85099B", price=Decimal("2.08"), stock=10, product__title="Jumbo Bag Red Retrospot")
    add(client, "22632")
    page = add(client, "85099B", 2)
    assert "Added Jumbo Bag Red Retrospot to your cart." in page.content.decode()
    assert page.cookies["cart_count"].value == "3"
    line = page.context["priced"].lines[0].line
    client.post(reverse("orders:cart_line", args=[line.pk]), {"quantity": "4"})
    done = checkout(client)
    html = done.content.decode()
    order = Order.objects.get()
    assert order.number in html and "Thank you for your order" in html
    assert (order.email, order.ship_postcode, order.total) == ("ada@example.com", "N1 9GU", Decimal("17.51"))
    mug.refresh_from_db()
    bag.refresh_from_db()
    assert (mug.stock, bag.stock) == (6, 8)
    assert client.get(reverse("orders:cart")).context["priced"].is_empty


def test_double_submitting_place_order_creates_one_order(client):
    VariantFactory(sku="A1", stock=5)
    add(client, "A1")
    standard_shipping()
    client.post(reverse("orders:checkout"), DETAILS)
    total = client.get(reverse("orders:review")).context["quote"].total
    first = client.post(reverse("orders:place"), {"expected_total": str(total)})
    second = client.post(reverse("orders:place"), {"expected_total": str(total)})
    assert first.status_code == 302 and second.status_code == 302
    assert Order.objects.count() == 1


def test_checkout_explains_bad_details_with_a_400(client):
    VariantFactory(sku="A1", stock=5)
    add(client, "A1")
    standard_shipping()
    response = client.post(reverse("orders:checkout"), {**DETAILS, "postcode": "12345", "email": "not-an-email"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a UK postcode, e.g. SW1A 1AA." in html and "Enter a valid email address." in html


def test_adding_to_the_cart_from_another_site_is_refused(client):
    VariantFactory(sku="A1", stock=5)
    response = client.post(reverse("orders:cart_add"), {"sku": "A1"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert client.post(reverse("orders:cart_add"), {"sku": "A1"}).status_code == 403


def test_an_order_is_hidden_from_everyone_but_its_owner(client):
    order = placed_order()
    other = Client()
    assert other.get(order.get_absolute_url()).status_code == 404
    assert other.get(reverse("orders:detail", args=["PSR-AAAAAAAA"])).status_code == 404
    assert other.get(order.get_absolute_url(), {"t": "00000000-0000-0000-0000-000000000000"}).status_code == 404
    assert other.get(order.get_absolute_url(), {"t": str(order.access_token)}).status_code == 200
    assert other.get(reverse("orders:receipt", args=[order.number])).status_code == 200  # the link was remembered


def test_a_customer_pays_by_test_card_and_finds_the_order_in_their_history(client):
    user = User.objects.create_user(email="grace@example.com", password="a-long-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post(reverse("accounts:login"), {"login": "grace@example.com", "password": "a-long-password-1"})
    VariantFactory(sku="A1", price=Decimal("9.00"), stock=5)
    add(client, "A1")
    placed = checkout(client, payment_method="testcard", email="grace@example.com")
    assert "Test card payment" in placed.content.decode()
    paid = client.post(
        placed.request["PATH_INFO"], {"number": "4242 4242 4242 4242", "name": "Grace Hopper"}, follow=True
    )
    assert "Thank you for your order" in paid.content.decode()
    order = Order.objects.get(user=user)
    assert order.status == "paid"
    history = client.get(reverse("orders:history")).content.decode()
    assert order.number in history and "Paid" in history


def test_a_declined_card_can_be_tried_again(client):
    VariantFactory(sku="A1", stock=5)
    add(client, "A1")
    placed = checkout(client, payment_method="testcard")
    declined = client.post(placed.request["PATH_INFO"], {"number": "4000000000000002", "name": "X"}, follow=True)
    assert "Your payment did not go through (Card declined)." in declined.content.decode()
    order = Order.objects.get()
    retry = client.post(reverse("orders:pay", args=[order.number]), follow=True)
    assert "Test card payment" in retry.content.decode()
    client.post(retry.request["PATH_INFO"], {"number": "4242424242424242", "name": "X"})
    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.parametrize("lines", [1, 8])
def test_the_cart_page_runs_the_same_queries_whatever_its_size(client, django_assert_num_queries, lines):
    for n in range(lines):
        VariantFactory(sku=f"S{n}", stock=5)
        add(client, f"S{n}")
    # 5: the cart's four, and the current recommendations run ("Complete your order"), read once.
    with django_assert_num_queries(5):
        assert client.get(reverse("orders:cart")).status_code == 200


@pytest.mark.parametrize("orders", [1, 6])
def test_order_history_runs_the_same_queries_whatever_its_length(client, django_assert_num_queries, orders):
    user = User.objects.create_user(email="grace@example.com", password="x")
    for _ in range(orders):
        placed_order(user=user)
    client.force_login(user)
    # 8: the history's three, the current recommendations run, the customer's most-bought products
    # ("Buy it again" before the model has learned them; cached after), and the slot's three.
    with django_assert_num_queries(8):
        assert client.get(reverse("orders:history")).status_code == 200


def test_an_indonesian_shopper_places_an_order_with_prices_written_the_indonesian_way(client):
    VariantFactory(sku="A1", price=Decimal("9.99"), stock=5)
    client.post("/id/cart/add/", {"sku": "A1", "quantity": 1}, headers=ORIGIN)
    standard_shipping()
    client.post("/id/checkout/", DETAILS)
    review = client.get("/id/checkout/review/").content.decode()
    assert "£14,94" in review  # shown the Indonesian way, sent back the machine way
    total = re.search(r'name="expected_total" value="([^"]+)"', review)
    assert total is not None and total.group(1) == "14.94"
    placed = client.post("/id/checkout/place/", {"expected_total": total.group(1)}, follow=True)
    assert Order.objects.get().language == "id"
    assert Order.objects.get().number in placed.content.decode()


def test_the_header_cart_count_follows_the_shopper_in_and_out_of_their_account(client):
    user = User.objects.create_user(email="grace@example.com", password="a-long-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    VariantFactory(sku="A1", stock=5)
    assert add(client, "A1", 2).cookies["cart_count"].value == "2"
    signed_in = client.post(reverse("account_login"), {"login": "grace@example.com", "password": "a-long-password-1"})
    assert signed_in.cookies["cart_count"].value == "2"  # the guest cart merged into the customer's
    signed_out = client.post(reverse("account_logout"))
    assert signed_out.cookies["cart_count"].value == "0"  # not the customer's count on a shared computer


def test_a_bank_transfer_order_shows_and_emails_where_to_pay_and_what_to_quote(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    VariantFactory(sku="A1", price=Decimal("3.00"), stock=5)
    add(client, "A1")
    with django_capture_on_commit_callbacks(execute=True):
        done = checkout(client, payment_method="bank")
    order = Order.objects.get()
    html = done.content.decode()
    assert f"quoting {order.number}" in html
    assert "Pasar Demo Ltd" in html and "00-00-00" in html and "00000000" in html  # the local demo's account
    placed = next(message for message in mailoutbox if order.number in message.subject)
    assert "Sort code: 00-00-00" in placed.body and f"Reference: {order.number}" in placed.body
    assert "United Kingdom" in html and "United Kingdom" in placed.body  # the country by name, not "GB"
    with translation.override("id"):
        assert "Inggris Raya" in client.get(order.get_absolute_url()).content.decode()
    assert "00-00-00" in placed.alternatives[0][0]


def test_orders_leave_the_product_page_cached_until_few_are_left_and_then_it_says_how_many(
    client, django_capture_on_commit_callbacks
):
    """Through a sale, each order would otherwise make the product's page render again."""
    variant = VariantFactory(stock=8, product__title="Flash Sale Lantern")
    url = variant.product.get_absolute_url()
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        placed = placed_order(variant=variant, quantity=2)  # 6 left: plenty
    assert placed.lines.get().quantity == 2
    page = client.get(url)
    assert page["X-Page-Cache"] == "hit" and "In stock" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        placed_order(variant=variant, quantity=3)  # 3 left
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss" and "Only 3 left" in page.content.decode()
