import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Address, User
from catalog.models import Variant
from catalog.tests.factories import ProductImageFactory, VariantFactory
from orders.models import Cart, Order, ShippingMethod
from orders.tests.factories import cart_with, placed_order, standard_shipping

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "Ada Lovelace", "line1": "1 High Street", "city": "London", "postcode": "n1 9gu", "country": "GB"}


def customer(email="ada@example.com") -> User:
    return User.objects.create_user(email=email, password="a-long-password-1")


def api(client: Client, method: str, url: str, data=None, **headers):
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


@pytest.fixture
def shipping():
    return standard_shipping()


@pytest.fixture
def guest(client):
    """A client with a fresh guest cart; its token in .token."""
    response = api(client, "post", "/api/v1/cart/")
    assert response.status_code == 201
    client.token = response.json()["token"]
    return client


def test_a_guest_starts_a_cart_adds_lines_and_sees_them_priced(guest):
    lantern = VariantFactory(sku="71053", price=Decimal("3.39"), product__title="White Metal Lantern")
    ProductImageFactory(product=lantern.product)

    response = api(guest, "post", "/api/v1/cart/lines/", {"sku": "71053", "quantity": 2}, x_cart_token=guest.token)

    assert response.status_code == 201
    cart = response.json()
    assert cart["token"] == guest.token and cart["count"] == 2
    assert cart["subtotal"] == {"amount": "6.78", "currency": "GBP"}
    line = cart["lines"][0]
    assert (line["sku"], line["quantity"], line["problem"], line["price_changed"]) == ("71053", 2, None, False)
    assert line["unit_price"] == {"amount": "3.39", "currency": "GBP"}
    assert line["line_total"] == {"amount": "6.78", "currency": "GBP"}
    assert line["product"]["title"] == "White Metal Lantern" and line["product"]["image"].endswith(".webp")
    assert api(guest, "get", "/api/v1/cart/", x_cart_token=guest.token).json() == cart


def test_adding_the_same_variant_again_adds_to_its_line_and_patch_and_delete_change_it(guest):
    VariantFactory(sku="A1", stock=10)
    api(guest, "post", "/api/v1/cart/lines/", {"sku": "A1"}, x_cart_token=guest.token)
    cart = api(guest, "post", "/api/v1/cart/lines/", {"sku": "A1", "quantity": 2}, x_cart_token=guest.token).json()
    line_id = cart["lines"][0]["id"]
    assert [line["quantity"] for line in cart["lines"]] == [3]

    patched = api(guest, "patch", f"/api/v1/cart/lines/{line_id}/", {"quantity": 5}, x_cart_token=guest.token)
    assert patched.status_code == 200 and patched.json()["count"] == 5

    deleted = api(guest, "delete", f"/api/v1/cart/lines/{line_id}/", x_cart_token=guest.token)
    assert deleted.status_code == 200 and deleted.json()["lines"] == []
    assert api(guest, "delete", f"/api/v1/cart/lines/{line_id}/", x_cart_token=guest.token).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"sku": "NOPE"}, 400, "invalid", "sku"),
        ({"sku": "A1", "quantity": 0}, 400, "invalid", "quantity"),
        ({"sku": "A1", "quantity": "lots"}, 400, "invalid", "quantity"),
        ({"quantity": 1}, 400, "invalid", "sku"),
        ({"sku": "A1", "quantity": 11}, 409, "quantity_unavailable", None),
        ({"sku": "OUT"}, 409, "quantity_unavailable", None),
    ],
)
def test_bad_or_unavailable_lines_are_refused_with_the_error_shape(guest, body, status, code, field):
    VariantFactory(sku="A1", stock=10)
    VariantFactory(sku="OUT", stock=0)
    response = api(guest, "post", "/api/v1/cart/lines/", body, x_cart_token=guest.token)
    assert response.status_code == status
    error = response.json()
    assert error["code"] == code and error["message"]
    assert list(error["fields"]) == ([field] if field else [])


def test_a_body_that_is_not_json_is_a_400_not_a_500(guest):
    response = guest.post("/api/v1/cart/lines/", "{not json", content_type="application/json",
                          headers={"X-Cart-Token": guest.token})  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    response = guest.post("/api/v1/cart/lines/", "sku=A1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("token", [None, "not-a-uuid", str(uuid.uuid4())])
def test_a_missing_or_unknown_cart_token_is_a_404_saying_how_to_start_a_cart(client, token):
    headers = {"x_cart_token": token} if token else {}
    response = api(client, "get", "/api/v1/cart/", **headers)
    assert response.status_code == 404
    assert response.json()["code"] == "cart_not_found"
    assert "POST /api/v1/cart/" in response.json()["message"]


def test_an_expired_or_checked_out_cart_token_is_a_410(client, settings, shipping):
    old = Cart.objects.create()
    Cart.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=settings.API_CART_DAYS + 1))
    response = api(client, "get", "/api/v1/cart/", x_cart_token=str(old.token))
    assert (response.status_code, response.json()["code"]) == (410, "cart_expired")

    order = placed_order()
    done = Cart.objects.get(order=order)
    response = api(client, "post", "/api/v1/cart/lines/", {"sku": "x"}, x_cart_token=str(done.token))
    assert (response.status_code, response.json()["code"]) == (410, "cart_checked_out")


def test_a_customer_has_their_own_cart_by_sign_in_and_a_guest_cart_merges_into_it(client, guest):
    VariantFactory(sku="A1", stock=10)
    VariantFactory(sku="B2", stock=10)
    api(guest, "post", "/api/v1/cart/lines/", {"sku": "A1", "quantity": 2}, x_cart_token=guest.token)
    ada = customer()
    mine = cart_with((Variant.objects.get(sku="B2"), 1), user=ada)
    client.force_login(ada)

    assert api(client, "get", "/api/v1/cart/").json()["count"] == 1
    merged = api(client, "post", "/api/v1/cart/", x_cart_token=guest.token)

    assert merged.status_code == 200
    data = merged.json()
    assert data["token"] is None and data["count"] == 3
    assert sorted(line["sku"] for line in data["lines"]) == ["A1", "B2"]
    assert Cart.objects.filter(user=ada, order__isnull=True).get().pk == mine.pk
    assert not Cart.objects.filter(token=guest.token).exists()


def test_nobody_reads_or_changes_another_shoppers_cart_or_its_lines(client, guest):
    VariantFactory(sku="A1", stock=10)
    others = cart_with((Variant.objects.get(sku="A1"), 1), user=customer("bob@example.com"))
    other_line = others.lines.get()
    theirs = cart_with((Variant.objects.get(sku="A1"), 1))  # another guest's
    their_line = theirs.lines.get()

    # A customer's cart is never reachable by its token; another guest's line is not in my cart.
    assert api(client, "get", "/api/v1/cart/", x_cart_token=str(others.token)).status_code == 404
    for line_id in (other_line.pk, their_line.pk, 999_999, 2**63 + 5):
        for method, body in (("patch", {"quantity": 5}), ("delete", None)):
            response = api(guest, method, f"/api/v1/cart/lines/{line_id}/", body, x_cart_token=guest.token)
            assert (response.status_code, response.json()["code"]) == (404, "line_not_found")
    ada = customer()
    client.force_login(ada)
    for line_id in (other_line.pk, their_line.pk):
        assert api(client, "patch", f"/api/v1/cart/lines/{line_id}/", {"quantity": 5}).status_code == 404
    assert other_line.__class__.objects.get(pk=other_line.pk).quantity == 1
    assert their_line.__class__.objects.get(pk=their_line.pk).quantity == 1


def test_the_cart_runs_the_same_number_of_queries_for_one_line_or_many(guest):
    def cart_queries():
        with CaptureQueriesContext(connection) as captured:
            assert api(guest, "get", "/api/v1/cart/", x_cart_token=guest.token).status_code == 200
        return len(captured)

    first = VariantFactory()
    ProductImageFactory(product=first.product)
    api(guest, "post", "/api/v1/cart/lines/", {"sku": first.sku}, x_cart_token=guest.token)
    one = cart_queries()
    for _ in range(8):
        variant = VariantFactory()
        ProductImageFactory(product=variant.product)
        api(guest, "post", "/api/v1/cart/lines/", {"sku": variant.sku}, x_cart_token=guest.token)
    assert cart_queries() == one


def test_checkout_options_list_shipping_priced_for_the_cart_payment_methods_and_countries(guest, shipping):
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory(price=Decimal("30")).sku, "quantity": 2},
        x_cart_token=guest.token)  # fmt: skip
    methods = api(guest, "get", "/api/v1/checkout/shipping-methods/", x_cart_token=guest.token).json()
    standard = next(m for m in methods if m["code"] == "standard")
    assert standard["price"] == {"amount": "0.00", "currency": "GBP"}  # free over 50
    assert standard["free_over"] == {"amount": "50.00", "currency": "GBP"}
    no_cart = api(guest, "get", "/api/v1/checkout/shipping-methods/").json()
    assert next(m for m in no_cart if m["code"] == "standard")["price"]["amount"] == "4.95"
    payments = api(guest, "get", "/api/v1/checkout/payment-methods/").json()
    assert [(p["code"], p["online"]) for p in payments] == [("testcard", True), ("cod", False), ("bank", True)]
    countries = api(guest, "get", "/api/v1/checkout/countries/").json()
    assert {"code": "GB", "name": "United Kingdom"} in countries


def test_a_quote_gives_the_total_to_confirm_and_refuses_an_unknown_method_or_empty_cart(guest, shipping):
    response = api(guest, "get", "/api/v1/checkout/quote/?shipping_method=standard", x_cart_token=guest.token)
    assert (response.status_code, response.json()["code"]) == (409, "cart_empty")
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory(price=Decimal("3.39")).sku, "quantity": 2},
        x_cart_token=guest.token)  # fmt: skip
    quote = api(guest, "get", "/api/v1/checkout/quote/?shipping_method=standard", x_cart_token=guest.token).json()
    assert (quote["subtotal"]["amount"], quote["shipping"]["amount"], quote["total"]["amount"]) == (
        "6.78", "4.95", "11.73",
    )  # fmt: skip
    response = api(guest, "get", "/api/v1/checkout/quote/?shipping_method=teleport", x_cart_token=guest.token)
    assert (response.status_code, list(response.json()["fields"])) == (400, ["shipping_method"])


def checkout_body(**overrides):
    return {"email": "ada@example.com", "shipping_address": ADDRESS, "shipping_method": "standard",
            "payment_method": "cod", **overrides}  # fmt: skip


def test_a_guest_places_an_order_and_reads_it_back_with_the_cart_token(guest, shipping):
    variant = VariantFactory(price=Decimal("3.39"), stock=10)
    api(guest, "post", "/api/v1/cart/lines/", {"sku": variant.sku, "quantity": 2}, x_cart_token=guest.token)

    response = api(guest, "post", "/api/v1/checkout/", checkout_body(expected_total="11.73"), x_cart_token=guest.token)

    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "processing" and order["payment"] is None
    assert order["total"] == {"amount": "11.73", "currency": "GBP"}
    assert order["shipping_address"]["postcode"] == "N1 9GU"
    assert order["placed_at"].endswith("Z") or order["placed_at"][-6] in "+-"
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [(variant.sku, 2)]
    variant.refresh_from_db()
    assert variant.stock == 8
    again = api(guest, "get", f"/api/v1/orders/{order['number']}/", x_cart_token=guest.token)
    assert again.status_code == 200 and again.json()["number"] == order["number"]
    assert api(guest, "get", f"/api/v1/orders/{order['number']}/").status_code == 404
    assert order["transfer_to"] is None


def test_a_bank_transfer_order_tells_the_app_where_to_pay_and_what_to_quote(guest, shipping):
    variant = VariantFactory(price=Decimal("3.39"), stock=10)
    api(guest, "post", "/api/v1/cart/lines/", {"sku": variant.sku}, x_cart_token=guest.token)
    body = checkout_body(payment_method="bank", expected_total="8.34")
    order = api(guest, "post", "/api/v1/checkout/", body, x_cart_token=guest.token).json()
    assert order["status"] == "awaiting_payment"
    assert order["transfer_to"] == {
        "account_name": "Pasar Demo Ltd", "bank_name": "Demo Bank (not a real account)", "sort_code": "00-00-00",
        "account_number": "00000000", "iban": "", "bic": "", "reference": order["number"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"shipping_address": {**ADDRESS, "postcode": "12345"}}, "shipping_address.postcode"),
        ({"shipping_address": {**ADDRESS, "country": "ZZ"}}, "shipping_address.country"),
        ({"shipping_address": {"name": "Ada"}}, "shipping_address.line1"),
        ({"email": "not-an-email"}, "email"),
        ({"payment_method": "bitcoin"}, "payment_method"),
        ({"shipping_method": "teleport"}, "shipping_method"),
        ({"shipping_address": None}, "shipping_address"),
        ({"expected_total": "lots"}, "expected_total"),
    ],
)
def test_bad_checkout_input_is_a_400_naming_the_field(guest, shipping, overrides, field):
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory().sku}, x_cart_token=guest.token)
    body = {k: v for k, v in checkout_body(**overrides).items() if v is not None}
    response = api(guest, "post", "/api/v1/checkout/", body, x_cart_token=guest.token)
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert not Order.objects.exists()


def test_checkout_when_stock_ran_out_is_a_409_listing_the_short_lines(guest, shipping):
    mug = VariantFactory(stock=5, product__title="Red Retrospot Mug")
    api(guest, "post", "/api/v1/cart/lines/", {"sku": mug.sku, "quantity": 3}, x_cart_token=guest.token)
    Variant.objects.filter(pk=mug.pk).update(stock=1)

    response = api(guest, "post", "/api/v1/checkout/", checkout_body(), x_cart_token=guest.token)

    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "out_of_stock"
    assert error["lines"] == [{"sku": mug.sku, "title": "Red Retrospot Mug", "wanted": 3, "available": 1}]
    assert error["message"] == "Not enough stock. Red Retrospot Mug: 1 left, you asked for 3."


def test_checkout_with_a_stale_expected_total_is_a_409_prices_changed(guest, shipping):
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory(price=Decimal("3.39")).sku},
        x_cart_token=guest.token)  # fmt: skip
    response = api(guest, "post", "/api/v1/checkout/", checkout_body(expected_total="1.00"), x_cart_token=guest.token)
    assert (response.status_code, response.json()["code"]) == (409, "prices_changed")


def test_an_empty_cart_cannot_be_checked_out(guest, shipping):
    response = api(guest, "post", "/api/v1/checkout/", checkout_body(), x_cart_token=guest.token)
    assert (response.status_code, response.json()["code"]) == (409, "cart_empty")


def test_the_same_idempotency_key_returns_the_same_order_with_the_same_body(guest, shipping):
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory(stock=10).sku}, x_cart_token=guest.token)
    key = str(uuid.uuid4())

    first = api(guest, "post", "/api/v1/checkout/", checkout_body(), x_cart_token=guest.token, idempotency_key=key)
    second = api(guest, "post", "/api/v1/checkout/", checkout_body(), x_cart_token=guest.token, idempotency_key=key)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1 and Variant.objects.get().stock == 9


def test_an_idempotency_key_is_the_shoppers_own_another_shopper_using_it_gets_their_own_order(client, shipping):
    key = "same-key"
    numbers = []
    for email in ("ada@example.com", "bob@example.com"):
        client.force_login(customer(email))
        api(client, "post", "/api/v1/cart/lines/", {"sku": VariantFactory(stock=10).sku})
        response = api(client, "post", "/api/v1/checkout/", checkout_body(email=email), idempotency_key=key)
        assert response.status_code == 201
        numbers.append(response.json()["number"])
    assert numbers[0] != numbers[1]


def test_a_request_while_the_same_idempotency_key_is_being_placed_gets_409_with_retry_after(guest, shipping):
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory().sku}, x_cart_token=guest.token)
    cache.set(f"idempotency:{_scoped(guest.token, 'k1')}", 1)  # the first request holds the key

    response = api(guest, "post", "/api/v1/checkout/", checkout_body(), x_cart_token=guest.token, idempotency_key="k1")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_use"
    assert response["Retry-After"] == "1"
    assert not Order.objects.exists()


def _scoped(token: str, key: str) -> str:
    import hashlib

    return "api:" + hashlib.sha256(f"cart:{token}\n{key}".encode()).hexdigest()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_idempotency_key_make_one_order_and_the_others_409_or_the_same_order(
    shipping,
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    starter = Client()
    token = api(starter, "post", "/api/v1/cart/").json()["token"]
    api(starter, "post", "/api/v1/cart/lines/", {"sku": VariantFactory(stock=10).sku}, x_cart_token=token)
    barrier = threading.Barrier(4)
    results = []

    def buy():
        barrier.wait()
        response = api(Client(), "post", "/api/v1/checkout/", checkout_body(), x_cart_token=token,
                       idempotency_key="double-tap")  # fmt: skip
        results.append((response.status_code, response.json().get("number") or response.json()["code"]))
        connection.close()

    threads = [threading.Thread(target=buy) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Order.objects.count() == 1
    number = Order.objects.get().number
    assert {r for r in results if r[0] == 201} == {(201, number)}
    assert all(r == (201, number) or r == (409, "idempotency_key_in_use") for r in results), results


def test_a_customer_sees_only_their_own_orders_and_guessed_numbers_are_404(client):
    ada, bob = customer(), customer("bob@example.com")
    mine = [placed_order(user=ada) for _ in range(2)]
    theirs = placed_order(user=bob)
    guests = placed_order()
    client.force_login(ada)

    listed = api(client, "get", "/api/v1/orders/").json()

    assert [o["number"] for o in listed["results"]] == [
        o.number for o in sorted(mine, key=lambda o: (o.placed_at, o.pk), reverse=True)
    ]
    assert listed["results"][0]["total"]["currency"] == "GBP" and listed["results"][0]["item_count"] == 2
    for number in (theirs.number, guests.number, "PSR-AAAAAAAA", "x" * 40):
        response = api(client, "get", f"/api/v1/orders/{number}/")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert api(client, "post", f"/api/v1/orders/{number}/pay/").status_code == 404
    assert api(client, "get", f"/api/v1/orders/{mine[0].number}/").status_code == 200


def test_another_guests_cart_token_does_not_open_an_order(client, guest):
    order = placed_order()
    assert api(client, "get", f"/api/v1/orders/{order.number}/", x_cart_token=guest.token).status_code == 404


def test_the_order_list_needs_a_signed_in_customer(client):
    response = api(client, "get", "/api/v1/orders/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"]


def test_the_order_list_runs_the_same_number_of_queries_for_one_order_or_many(client):
    ada = customer()
    placed_order(user=ada)
    client.force_login(ada)

    def list_queries():
        with CaptureQueriesContext(connection) as captured:
            assert api(client, "get", "/api/v1/orders/").status_code == 200
        return len(captured)

    one = list_queries()
    for _ in range(6):
        placed_order(user=ada)
    assert list_queries() == one


def test_a_customer_checks_out_with_an_address_from_their_book_and_not_someone_elses(client, shipping):
    ada, bob = customer(), customer("bob@example.com")
    own = Address.objects.create(user=ada, is_default=True, **{**ADDRESS, "postcode": "N1 9GU"})
    bobs = Address.objects.create(user=bob, is_default=True, **{**ADDRESS, "name": "Bob"})
    client.force_login(ada)
    api(client, "post", "/api/v1/cart/lines/", {"sku": VariantFactory().sku})

    body = {k: v for k, v in checkout_body(address_id=bobs.pk).items() if k != "shipping_address"}
    refused = api(client, "post", "/api/v1/checkout/", body)
    assert refused.status_code == 400 and "address_id" in refused.json()["fields"]

    body = {k: v for k, v in checkout_body(address_id=own.pk).items() if k not in ("shipping_address", "email")}
    placed = api(client, "post", "/api/v1/checkout/", body)
    assert placed.status_code == 201
    assert placed.json()["email"] == "ada@example.com" and placed.json()["shipping_address"]["name"] == "Ada Lovelace"


def test_checkout_is_throttled_per_shopper_with_429_and_retry_after(guest, monkeypatch, shipping):
    # DRF reads the rates once, into the throttle class; the test narrows them there.
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "checkout": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    statuses = [api(guest, "post", "/api/v1/checkout/", checkout_body(), x_cart_token=guest.token) for _ in range(3)]
    assert [r.status_code for r in statuses] == [409, 409, 429]
    assert statuses[2].json()["code"] == "throttled" and 0 < int(statuses[2]["Retry-After"]) <= 60


def test_shipping_methods_run_the_same_number_of_queries_for_one_method_or_many(guest, shipping):
    api(guest, "post", "/api/v1/cart/lines/", {"sku": VariantFactory().sku}, x_cart_token=guest.token)

    def method_queries():
        with CaptureQueriesContext(connection) as captured:
            response = api(guest, "get", "/api/v1/checkout/shipping-methods/", x_cart_token=guest.token)
        return len(captured), len(response.json())

    few, count = method_queries()
    for n in range(5):
        ShippingMethod.objects.create(code=f"extra-{n}", name=f"Extra {n}", price=Decimal("1.00"))
    assert method_queries() == (few, count + 5)
