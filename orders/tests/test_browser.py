"""Buying in real headless Chromium (Debian's chromium package, driven by Playwright)."""

import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from catalog.tests.factories import ProductImageFactory, VariantFactory
from orders.models import Order
from orders.tests.factories import standard_shipping
from shop.testing import chromium, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

require_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def shop(live_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SHOP_URL = live_server.url
    standard_shipping()
    mug = VariantFactory(
        sku="22632", price=Decimal("2.10"), stock=20, product__title="Red Retrospot Mug", product__slug="mug"
    )
    VariantFactory(sku="85099B", price=Decimal("2.08"), stock=20, product__title="Jumbo Bag", product__slug="bag")
    ProductImageFactory(product=mug.product)
    return live_server.url


def new_page(browser, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return page, errors


def add_to_cart(page, url: str, quantity: int = 1) -> None:
    page.goto(url)
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")


def fill_details(page, email: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.locator("input[name=line1]").fill("1 High Street")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("N1 9GU")
    page.get_by_label("Country").select_option("GB")


def test_a_guest_buys_two_products_with_cash_on_delivery_and_gets_the_email(browser, shop):
    page, errors = new_page(browser, width=390)
    add_to_cart(page, f"{shop}/p/mug/")
    add_to_cart(page, f"{shop}/p/bag/", quantity=2)
    assert page.locator("[data-cart-count]").inner_text() == "3"
    page.get_by_label("Quantity").first.fill("3")
    page.get_by_role("button", name="Update").first.click()
    page.get_by_role("link", name="Check out").click()
    fill_details(page, "ada@example.com")
    page.get_by_label("Cash on delivery").check()
    page.get_by_role("button", name="Review your order").click()
    assert "£15.41" in page.inner_text("main")  # 3 x 2.10 + 2 x 2.08 + 4.95 delivery
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.wait_for_load_state()
    order = Order.objects.get()
    assert order.number in page.inner_text("h1")
    assert "Thank you for your order" in page.inner_text("main")
    assert any(order.number in message.subject and "ada@example.com" in message.to for message in mail.outbox)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []


def test_a_customer_pays_with_the_test_card_and_finds_the_order_in_their_history(browser, shop):
    user = User.objects.create_user(email="grace@example.com", password="a-long-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page, errors = new_page(browser)
    page.goto(f"{shop}/account/login/")
    page.get_by_label("E-mail").fill("grace@example.com")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Sign in").click()
    add_to_cart(page, f"{shop}/p/mug/", quantity=2)
    page.get_by_role("link", name="Check out").click()
    fill_details(page, "grace@example.com")
    page.get_by_label("Card (test gateway)").check()
    page.get_by_role("button", name="Review your order").click()
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Name on card").fill("Grace Hopper")
    page.get_by_role("button", name="Pay now").click()
    page.wait_for_load_state()
    page.goto(f"{shop}/account/orders/")
    order = Order.objects.get()
    row = page.get_by_role("row", name=re.compile(order.number))
    assert "Paid" in row.inner_text()
    assert errors == []


def test_a_guest_paying_by_bank_transfer_sees_the_account_and_the_reference_on_a_phone(browser, shop):
    page, errors = new_page(browser, width=390)
    add_to_cart(page, f"{shop}/p/mug/")
    page.get_by_role("link", name="Check out").click()
    fill_details(page, "ada@example.com")
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Review your order").click()
    page.get_by_role("button", name=re.compile("Place order")).click()
    page.wait_for_load_state()
    order = Order.objects.get()
    notice = page.locator(".notice").inner_text()
    assert f"quoting {order.number}" in notice and "Sort code" in notice and "00-00-00" in notice
    assert page.locator(".transfer-details dd strong").inner_text() == order.number
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
