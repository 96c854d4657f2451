"""What the accounts app refuses, with messages fit to show to the customer."""

from django.utils.translation import gettext as _


class AccountError(Exception):
    """Base class; str(error) is the message for the customer."""


class AddressNotFound(AccountError):
    """No such address in this customer's book (another customer's address looks the same: 404)."""

    def __init__(self) -> None:
        super().__init__(_("There is no such address in your address book."))


class AddressInvalid(AccountError):
    """The address has mistakes; `errors` maps each field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(_("Please correct the address."))


class ProfileInvalid(AccountError):
    """The profile has mistakes; `errors` maps each field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(_("Please correct your details."))


class AccountHasOpenOrders(AccountError):
    """An account with orders still on their way cannot be deleted yet: the shop needs a way to
    reach the customer about them."""

    def __init__(self, numbers: list[str]) -> None:
        self.numbers = numbers
        super().__init__(
            _(
                "You have orders that are not finished yet (%(numbers)s). You can delete your account once they are delivered or cancelled."
            )
            % {"numbers": ", ".join(numbers)}
        )
