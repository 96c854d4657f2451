import pytest

from catalog.models import StockAdjustment, Variant
from orders.exceptions import InvalidTransition
from orders.services import status
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db


def test_shipping_records_carrier_tracking_and_who(staff_user):
    order = placed_order()
    status.order_ship(order=order, carrier="Royal Mail", tracking_number="RM123456789GB", user=staff_user)
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "Royal Mail", "RM123456789GB")
    event = order.events.last()
    assert event is not None
    assert (event.from_status, event.to_status, event.user) == ("processing", "shipped", staff_user)


def test_cancelling_an_unshipped_order_returns_its_stock_with_a_ledger_entry(staff_user):
    order = placed_order(quantity=3, stock=10)
    status.order_cancel(order=order, reason="Customer asked", user=staff_user)
    variant = Variant.objects.get(sku=order.lines.get().sku)
    assert variant.stock == 10
    entry = StockAdjustment.objects.get(variant=variant, reason="returned")
    assert (entry.delta, entry.quantity_after, entry.user) == (3, 10, staff_user)


def test_a_shipped_order_cannot_be_cancelled_and_the_message_says_why():
    order = placed_order()
    status.order_ship(order=order, carrier="DPD", tracking_number="1")
    with pytest.raises(InvalidTransition, match=r"An order that is shipped cannot become cancelled\."):
        status.order_cancel(order=order, reason="Too late")


def test_cash_on_delivery_is_marked_paid_on_delivery_without_changing_status():
    order = placed_order()
    status.order_ship(order=order, carrier="DPD", tracking_number="1")
    status.order_deliver(order=order)
    status.order_mark_paid(order=order, note="Cash collected")
    order.refresh_from_db()
    assert (order.status, order.paid_at is not None) == ("delivered", True)
