import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from catalog.models import StockAdjustment, Variant
from catalog.tests.factories import ProductFactory, VariantFactory
from orders.exceptions import CartEmpty, OutOfStock, PricesChanged
from orders.models import Cart, Order, Payment
from orders.services.checkout import order_place
from orders.tests.factories import ADDRESS, cart_with, placed_order, standard_shipping

pytestmark = pytest.mark.django_db


def place(cart: Cart, **kwargs):
    return order_place(
        cart=cart, email="ada@example.com", address=ADDRESS, shipping_method=standard_shipping(),
        payment_method=kwargs.pop("payment_method", "cod"), **kwargs,
    )  # fmt: skip


def test_placing_an_order_snapshots_lines_totals_and_takes_the_stock():
    lantern = VariantFactory(sku="71053", price=Decimal("3.39"), stock=10, product__title="White Metal Lantern")
    order = place(cart_with((lantern, 2)))
    assert order.status == "processing"  # cash on delivery ships first
    assert (order.subtotal, order.shipping_total, order.total) == (Decimal("6.78"), Decimal("4.95"), Decimal("11.73"))
    line = order.lines.get()
    assert (line.product_title, line.sku, line.quantity, line.unit_price, line.line_total) == (
        "White Metal Lantern", "71053", 2, Decimal("3.39"), Decimal("6.78"),
    )  # fmt: skip
    lantern.refresh_from_db()
    assert lantern.stock == 8
    assert order.number.startswith("PSR-") and len(order.number) == 12
    lantern.product.title = "Renamed"
    lantern.product.save()
    assert order.lines.get().product_title == "White Metal Lantern"


@pytest.mark.parametrize("lines", [1, 4])
def test_placing_an_order_runs_the_same_queries_whatever_its_number_of_lines(django_assert_num_queries, lines):
    cart = cart_with(*((VariantFactory(stock=5), 1) for _ in range(lines)))
    method = standard_shipping()
    # Priced cart; savepoint, [lock timeout,] order, lines, event, cart link (the double submit
    # guard), outbox; stock lock, stock update, release.
    expected = 11 if connection.vendor == "postgresql" else 10
    with django_assert_num_queries(expected):
        order = order_place(
            cart=cart, email="ada@example.com", address=ADDRESS, shipping_method=method, payment_method="cod"
        )
    assert order.lines.count() == lines
    assert set(Variant.objects.values_list("stock", flat=True)) == {4}


def test_shipping_is_free_above_the_threshold():
    order = place(cart_with((VariantFactory(price=Decimal("25.00"), stock=5), 2)))
    assert (order.shipping_total, order.total) == (Decimal("0.00"), Decimal("50.00"))


def test_an_online_payment_leaves_the_order_awaiting_payment_with_a_pending_payment():
    order = placed_order(payment_method="testcard")
    assert order.status == "awaiting_payment"
    payment = order.payments.get()
    assert (payment.status, payment.amount) == ("pending", order.total)


def test_placing_the_same_cart_twice_creates_one_order():
    cart = cart_with((VariantFactory(stock=10), 1))
    first = place(cart)
    second = place(Cart.objects.get(pk=cart.pk))
    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert Variant.objects.get().stock == 9


def test_placing_the_same_cart_again_after_it_took_the_last_units_returns_its_order():
    cart = cart_with((VariantFactory(stock=2), 2))
    first = place(cart)
    assert place(Cart.objects.get(pk=cart.pk)).pk == first.pk
    assert Order.objects.count() == 1


def test_the_same_idempotency_key_returns_the_same_order():
    first = place(cart_with((VariantFactory(stock=10), 1)), idempotency_key="key-1")
    second = place(cart_with((VariantFactory(stock=10), 1)), idempotency_key="key-1")
    assert first.pk == second.pk


def test_when_stock_ran_out_meanwhile_every_short_line_is_named_and_nothing_changes():
    mug = VariantFactory(stock=5, product__title="Red Retrospot Mug")
    bag = VariantFactory(stock=5, product__title="Jumbo Bag")
    cart = cart_with((mug, 3), (bag, 2))
    Variant.objects.filter(pk=mug.pk).update(stock=1)
    Variant.objects.filter(pk=bag.pk).update(stock=0)
    with pytest.raises(OutOfStock) as caught:
        place(cart)
    assert str(caught.value) == "Not enough stock. Red Retrospot Mug: 1 left, you asked for 3; Jumbo Bag is sold out."
    assert not Order.objects.exists()
    assert dict(Variant.objects.values_list("pk", "stock")) == {mug.pk: 1, bag.pk: 0}


def test_a_total_that_changed_since_the_review_is_refused():
    cart = cart_with((VariantFactory(price=Decimal("3.00"), stock=5), 1))
    with pytest.raises(PricesChanged):
        place(cart, expected_total=Decimal("7.00"))
    assert place(cart, expected_total=Decimal("7.95")).total == Decimal("7.95")


def test_an_empty_cart_cannot_be_placed():
    with pytest.raises(CartEmpty):
        place(Cart.objects.create())


def test_a_customers_address_is_saved_to_the_address_book(staff_user):
    place(cart_with((VariantFactory(stock=5), 1), user=staff_user), user=staff_user, save_address=True)
    address = staff_user.addresses.get()
    assert (address.line1, address.postcode, address.is_default) == ("1 High Street", "N1 9GU", True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_flash_sale_of_300_concurrent_buyers_sells_exactly_the_50_units_in_stock():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL: run with DATABASE_URL (CI does).")
    hot = VariantFactory(stock=50, price=Decimal("5.00"), product=ProductFactory(title="Flash Sale Lantern"))
    other = VariantFactory(stock=10_000, price=Decimal("1.00"))
    carts = []
    for n in range(300):
        # Half the carts hold the hot product and another, added in the other order.
        items = [(hot, 1)] if n % 2 else [(other, 1), (hot, 1)]
        carts.append(cart_with(*items))
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(30)

    def buy(batch: list[Cart]) -> None:
        start.wait()
        try:
            for cart in batch:
                try:
                    place(cart)
                    outcome = "ok"
                except OutOfStock:
                    outcome = "out"
                except Exception as error:  # anything else is a failure the test reports
                    outcome = f"error: {error!r}"
                with lock:
                    results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(carts[i::30],)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("ok") == 50 and results.count("out") == 250
    hot.refresh_from_db()
    assert hot.stock == 0
    assert sum(Order.objects.filter(lines__sku=hot.sku).values_list("lines__quantity", flat=True)) == 50
    assert not StockAdjustment.objects.filter(variant=hot, quantity_after__lt=0).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same", ["cart", "idempotency key"])
def test_ten_submits_at_once_of_one_cart_or_one_idempotency_key_make_one_order_and_all_get_it(same):
    """A double click, a retried request: the submits that lose the race wait for the first one to
    commit, roll their own order back and answer with the first one."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL: run with DATABASE_URL (CI does).")
    variant = VariantFactory(stock=100)
    cart = cart_with((variant, 1))
    carts = [cart] * 10 if same == "cart" else [cart_with((variant, 1)) for _ in range(10)]
    key = "double-tap" if same == "idempotency key" else None
    numbers: list[str] = []
    start = threading.Barrier(10)

    def submit(cart: Cart) -> None:
        try:
            start.wait()
            numbers.append(place(Cart.objects.get(pk=cart.pk), idempotency_key=key).number)
        except Exception as error:  # reported below
            numbers.append(f"error: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in carts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 10 and len(set(numbers)) == 1, numbers
    assert list(Order.objects.values_list("number", flat=True)) == numbers[:1]
    assert Variant.objects.get(pk=variant.pk).stock == 99


def test_an_unknown_payment_method_is_refused_before_anything_is_locked():
    from orders.exceptions import PaymentError

    with pytest.raises(PaymentError, match="Unknown payment method"):
        place(cart_with((VariantFactory(stock=5), 1)), payment_method="bitcoin")
    assert not Payment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stock_row_locked_too_long_by_another_checkout_answers_busy_not_an_error(settings):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL: run with DATABASE_URL (CI does).")
    from django.db import transaction

    from orders.exceptions import CheckoutBusy

    settings.CHECKOUT_LOCK_TIMEOUT = 1
    variant = VariantFactory(stock=5)
    cart = cart_with((variant, 1))
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                Variant.objects.select_for_update().get(pk=variant.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    locked.wait(10)
    try:
        with pytest.raises(CheckoutBusy, match="very busy"):
            place(cart)
    finally:
        release.set()
        holder.join()
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=variant.pk).stock == 5
    assert place(Cart.objects.get(pk=cart.pk)).lines.get().quantity == 1  # and it works once free


def test_a_busy_checkout_page_says_try_again_with_retry_after(client, monkeypatch):
    """Only the page's answer: the real lock timeout is proven on PostgreSQL in the test above, so
    here order_place is replaced by one that reports it (SQLite has no row locks to time out)."""
    from orders import views
    from orders.exceptions import CheckoutBusy
    from orders.tests.test_pages import DETAILS, add

    def busy(**kwargs):
        raise CheckoutBusy()

    VariantFactory(sku="A1", stock=5)
    add(client, "A1")
    standard_shipping()
    client.post("/checkout/", DETAILS)
    total = client.get("/checkout/review/").context["quote"].total
    monkeypatch.setattr(views, "order_place", busy)
    response = client.post("/checkout/place/", {"expected_total": str(total)})
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert "The shop is very busy right now" in response.content.decode()
