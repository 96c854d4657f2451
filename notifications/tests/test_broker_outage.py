"""A broker that cannot be reached when an order commits must not turn a placed order into an error:
the message stays pending in the outbox, and the sweep sends it once the broker is back."""

from collections.abc import Iterator

import pytest

from notifications.models import Message
from orders.models import Order
from orders.tests.factories import placed_order
from shop.celery import app
from shop.testing import _forget_connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unreachable_broker() -> Iterator[None]:
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_connection_timeout")}
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False, broker_connection_timeout=1)
    _forget_connections()
    yield
    app.conf.update(saved)
    _forget_connections()


def test_an_order_placed_while_the_broker_is_down_succeeds_and_its_email_waits_in_the_outbox(unreachable_broker):
    order = placed_order()

    assert Order.objects.filter(pk=order.pk).exists()
    message = Message.objects.get(recipient=order.email)
    assert message.status == Message.Status.PENDING
