"""Ways to pay that need no provider: staff record the money when it arrives."""

from django.utils.translation import gettext_noop

from orders.backends.base import PaymentBackend


class CashOnDeliveryPaymentBackend(PaymentBackend):
    code = "cod"
    name = gettext_noop("Cash on delivery")
    online = False


class BankTransferPaymentBackend(PaymentBackend):
    """The shopper transfers the total quoting the order number; staff mark the order paid.

    Options (settings BANK_*): the account's name and bank, and its UK sort code and account
    number, its IBAN and BIC, or both; the shopper is shown those that are set."""

    code = "bank"
    name = gettext_noop("Bank transfer")
    deadline_minutes = 3 * 24 * 60
    FIELDS = ("account_name", "bank_name", "sort_code", "account_number", "iban", "bic")

    def transfer_details(self, *, reference: str) -> dict[str, str] | None:
        details = {field: str(self.options.get(field) or "") for field in self.FIELDS}
        return {**details, "reference": reference}
