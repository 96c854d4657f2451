"""Ways to pay that need no provider: staff record the money when it arrives."""

from django.utils.translation import gettext_noop

from orders.backends.base import PaymentBackend


class CashOnDeliveryPaymentBackend(PaymentBackend):
    code = "cod"
    name = gettext_noop("Cash on delivery")
    online = False


class BankTransferPaymentBackend(PaymentBackend):
    """The shopper transfers the total quoting the order number; staff mark the order paid."""

    code = "bank"
    name = gettext_noop("Bank transfer")
    deadline_minutes = 3 * 24 * 60
