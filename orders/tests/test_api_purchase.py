"""A whole purchase from a mobile app, over HTTP only: sign up, verify the e-mailed key, sign in,
browse, fill a cart, check out with the test card gateway, pay on the gateway's page as the app's
web view would, and see the order paid once the gateway's signed webhook has arrived.

Celery runs tasks inline in the tests, so the gateway's webhook (a task that posts to
/payments/webhooks/testcard/ with its HMAC signature) is delivered during the card form's post,
as a real gateway would deliver it moments later."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from catalog.tests.factories import CategoryFactory, ProductImageFactory, VariantFactory
from orders.models import Order
from orders.tests.factories import standard_shipping

pytestmark = pytest.mark.django_db
AUTH = "/api/v1/auth/app/v1"
PASSWORD = "plum-lantern-harbour-42"


def test_a_mobile_app_signs_up_and_buys_with_the_test_card_over_http_only(django_capture_on_commit_callbacks):
    lights = CategoryFactory(name="Lights", slug="lights")
    lantern = VariantFactory(product__title="White Metal Lantern", product__category=lights, price=Decimal("3.39"))
    ProductImageFactory(product=lantern.product)
    standard_shipping()
    app = Client()

    def call(method, url, data=None, token=None, **headers):
        if token:
            headers["X-Session-Token"] = token
        with django_capture_on_commit_callbacks(execute=True):  # after-commit work runs, as in a real request
            return getattr(app, method)(url, data, content_type="application/json", headers=headers)

    # Sign up; the verification key arrives by e-mail; verify, then sign in for a session token.
    signed_up = call("post", f"{AUTH}/auth/signup", {"email": "ada@example.com", "password": PASSWORD})
    assert signed_up.status_code == 401
    pending = signed_up.json()["meta"]["session_token"]
    found = re.search(r"/confirm-email/([^/\s]+)/", str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    key = found.group(1)
    assert call("post", f"{AUTH}/auth/email/verify", {"key": key}, token=pending).status_code in (200, 401)
    signed_in = call("post", f"{AUTH}/auth/login", {"email": "ada@example.com", "password": PASSWORD})
    assert signed_in.status_code == 200
    token = signed_in.json()["meta"]["session_token"]

    # Browse: categories, a category's products, a product's variants.
    assert [c["slug"] for c in call("get", "/api/v1/categories/").json()] == ["lights"]
    listed = call("get", "/api/v1/products/", {"category": "lights"}).json()["results"]
    product = call("get", f"/api/v1/products/{listed[0]['slug']}/").json()
    sku = product["variants"][0]["sku"]

    # Fill the cart and check out with the test card.
    assert call("post", "/api/v1/cart/lines/", {"sku": sku, "quantity": 2}, token=token).status_code == 201
    methods = call("get", "/api/v1/checkout/shipping-methods/", token=token).json()
    quote = call("get", f"/api/v1/checkout/quote/?shipping_method={methods[0]['code']}", token=token).json()
    placed = call(
        "post",
        "/api/v1/checkout/",
        {
            "shipping_address": {"name": "Ada Lovelace", "line1": "1 High Street", "city": "London",
                                 "postcode": "N1 9GU", "country": "GB"},
            "shipping_method": methods[0]["code"],
            "payment_method": "testcard",
            "expected_total": quote["total"]["amount"],
            "save_address": True,
        },
        token=token,
        idempotency_key="7a4c6e0e-first-try",
    )  # fmt: skip
    assert placed.status_code == 201, placed.json()
    order = placed.json()
    assert order["status"] == "awaiting_payment" and order["total"] == quote["total"]
    action = order["payment"]["next_action"]
    assert order["payment"]["status"] == "pending" and action["type"] == "redirect_to_url"

    # The app opens the gateway's page in a web view; the shopper enters the approved test card.
    page = urlsplit(action["url"]).path
    assert app.get(page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        paid_page = app.post(page, {"number": "4242 4242 4242 4242", "name": "Ada Lovelace"})
    assert paid_page.status_code == 302

    # The gateway's signed webhook has marked the order paid; the app sees it in the order history.
    history = call("get", "/api/v1/orders/", token=token).json()
    assert [(o["number"], o["status"]) for o in history["results"]] == [(order["number"], "paid")]
    detail = call("get", f"/api/v1/orders/{order['number']}/", token=token).json()
    assert detail["payment"]["status"] == "succeeded" and detail["paid_at"]
    assert Order.objects.get(number=order["number"]).status == "paid"
    assert call("get", "/api/v1/me/addresses/", token=token).json()[0]["postcode"] == "N1 9GU"
    assert call("get", "/api/v1/me/", token=token).json()["email"] == "ada@example.com"
