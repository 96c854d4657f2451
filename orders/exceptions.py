"""What the orders app refuses, with messages fit to show to the shopper."""

from dataclasses import dataclass


class OrderError(Exception):
    """Base class; str(error) is the message for the shopper or staff."""


class CartEmpty(OrderError):
    def __init__(self) -> None:
        super().__init__("Your cart is empty.")


class QuantityUnavailable(OrderError):
    pass


@dataclass(frozen=True)
class ShortLine:
    sku: str
    title: str
    wanted: int
    available: int


class OutOfStock(OrderError):
    """Raised with every short line, so the shopper can fix them all at once."""

    def __init__(self, lines: list[ShortLine]) -> None:
        self.lines = lines
        parts = [
            f"{line.title}: {line.available} left, you asked for {line.wanted}"
            if line.available
            else f"{line.title} is sold out"
            for line in lines
        ]
        super().__init__("Not enough stock. " + "; ".join(parts) + ".")


class PricesChanged(OrderError):
    def __init__(self) -> None:
        super().__init__("Some prices changed since you reviewed your order. Please check the new total.")


class CheckoutBusy(OrderError):
    """The stock rows were locked for too long: many shoppers are checking out the same items."""

    retry_after = 2

    def __init__(self) -> None:
        super().__init__("The shop is very busy right now. Please try again in a moment; nothing was charged.")


class InvalidTransition(OrderError):
    pass


class PaymentError(OrderError):
    pass


class WebhookRejected(OrderError):
    """A webhook that failed verification: answered with 400, never processed."""
