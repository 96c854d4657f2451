import pytest
from django.urls import reverse

from notifications.models import Message
from orders.models import Order
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orders", [2, 12])
def test_the_order_list_runs_the_same_queries_whatever_its_length(staff_client, django_assert_num_queries, orders):
    for _ in range(orders):
        placed_order()
    url = reverse("admin:orders_order_changelist")
    staff_client.get(url)
    with django_assert_num_queries(7):
        response = staff_client.get(url)
    assert response.content.decode().count('class="action-select"') == orders


def test_staff_find_an_order_by_number_or_email(staff_client):
    order = placed_order()
    response = staff_client.get(reverse("admin:orders_order_changelist"), {"q": order.number})
    assert order.number in response.content.decode()
    response = staff_client.get(reverse("admin:orders_order_changelist"), {"q": "nobody@example.com"})
    assert order.number not in response.content.decode()


def test_staff_ship_orders_with_a_tracking_number_and_the_customer_is_told(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    order = placed_order()
    url = reverse("admin:orders_order_changelist")
    ask = staff_client.post(url, {"action": "ship", "_selected_action": [order.pk]})
    assert "Tracking number" in ask.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        done = staff_client.post(
            url,
            {
                "action": "ship",
                "_selected_action": [order.pk],
                "carrier": "Royal Mail",
                "tracking_number": "RM1GB",
                "apply": "1",
            },
            follow=True,
        )
    assert "1 order shipped." in done.content.decode()
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == ("shipped", "RM1GB")
    last = order.events.last()
    assert last is not None and last.user == staff_user
    assert Message.objects.filter(event="order_shipped", dedupe_key=f"order_shipped:{order.number}").exists()


def test_staff_see_why_an_action_was_refused(staff_client):
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(status="shipped")
    response = staff_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel", "_selected_action": [order.pk], "reason": "Changed mind", "apply": "1"},
        follow=True,
    )
    assert "cannot become cancelled" in response.content.decode()


def test_placing_an_order_queues_the_shoppers_and_the_staffs_emails(settings):
    settings.SHOP_STAFF_EMAILS = ["orders@example.com"]
    order = placed_order()
    recipients = set(Message.objects.filter(event="order_placed").values_list("recipient", flat=True))
    assert {order.email, "orders@example.com"} <= recipients
