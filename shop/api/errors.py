"""One error shape for the whole API, from one exception handler.

Every error answer is `{"code": ..., "message": ..., "fields": {...}}`: `code` is a stable word a
client can switch on, `message` a sentence fit to show the shopper (in the request's language),
`fields` the messages for each input field at fault, by dotted name ("shipping_address.postcode").
An out-of-stock answer also lists the short `lines`.

The domain errors of the apps (orders/exceptions.py) are mapped to HTTP here and nowhere else, and
so are Django's own (Http404, PermissionDenied, ValidationError), so a view never builds an error
response by hand and bad input is never a 500.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms import Form
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from accounts import exceptions as accounts
from orders import exceptions as orders

NON_FIELD = "non_field_errors"

# Domain error class -> (HTTP status, code). The first match in this order wins.
DOMAIN_ERRORS: list[tuple[type[Exception], int, str]] = [
    (orders.OutOfStock, status.HTTP_409_CONFLICT, "out_of_stock"),
    (orders.CheckoutBusy, status.HTTP_503_SERVICE_UNAVAILABLE, "checkout_busy"),
    (orders.PricesChanged, status.HTTP_409_CONFLICT, "prices_changed"),
    (orders.QuantityUnavailable, status.HTTP_409_CONFLICT, "quantity_unavailable"),
    (orders.CartEmpty, status.HTTP_409_CONFLICT, "cart_empty"),
    (orders.InvalidTransition, status.HTTP_409_CONFLICT, "invalid_transition"),
    (orders.PaymentError, status.HTTP_409_CONFLICT, "payment_error"),
    (orders.OrderError, status.HTTP_400_BAD_REQUEST, "order_error"),
    (accounts.AddressNotFound, status.HTTP_404_NOT_FOUND, "address_not_found"),
    (accounts.AddressInvalid, status.HTTP_400_BAD_REQUEST, "invalid"),
    (accounts.ProfileInvalid, status.HTTP_400_BAD_REQUEST, "invalid"),
    (accounts.AccountHasOpenOrders, status.HTTP_409_CONFLICT, "account_has_open_orders"),
    (accounts.AccountError, status.HTTP_400_BAD_REQUEST, "account_error"),
]


class ApiError(exceptions.APIException):
    """An error a view raises with its own status and code, e.g. ApiError(410, "cart_expired", ...)."""

    def __init__(self, status_code: int, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.retry_after = retry_after


def form_invalid(form: Form) -> exceptions.ValidationError:
    """A Django form's errors as the API's validation error (the form's own messages)."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        errors[NON_FIELD if name == "__all__" else name] = [str(m) for m in messages]
    return exceptions.ValidationError(errors)


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"dotted.name": [messages]}."""
    if isinstance(errors, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list):
        if all(not isinstance(item, Mapping | list) for item in errors):
            return {prefix or NON_FIELD: [str(item) for item in errors]}
        flat = {}
        for index, item in enumerate(errors):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or NON_FIELD: [str(errors)]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}, **extra}


def _validation_body(detail: Any) -> dict[str, Any]:
    fields = _flatten(detail)
    general = fields.pop(NON_FIELD, [])
    first_field = next(iter(fields.values()), [])
    message = " ".join(general) if general else (first_field[0] if first_field else _("The request is not valid."))
    return error_body("invalid", message, fields)


def _domain_error(exc: Exception) -> Response | None:
    for error_class, http_status, code in DOMAIN_ERRORS:
        if isinstance(exc, error_class):
            extra: dict[str, Any] = {}
            headers: dict[str, str] = {}
            if isinstance(exc, orders.OutOfStock):
                extra["lines"] = [
                    {"sku": line.sku, "title": line.title, "wanted": line.wanted, "available": line.available}
                    for line in exc.lines
                ]
            if isinstance(exc, orders.CheckoutBusy):
                headers["Retry-After"] = str(exc.retry_after)
            fields = getattr(exc, "errors", None) if isinstance(exc, accounts.AccountError) else None
            return Response(error_body(code, str(exc), fields, **extra), status=http_status, headers=headers)
    return None


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Anything not recognised here is a real fault: None
    lets it propagate as a 500 (and to the error log)."""
    domain = _domain_error(exc)
    if domain is not None:
        return domain
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if exc.args else None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if exc.args else None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()

    headers: dict[str, str] = {}
    http_status = exc.status_code
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when no authentication class names a scheme; a missing or bad session
        # token is a 401, and the header says how to authenticate.
        http_status = status.HTTP_401_UNAUTHORIZED
        headers["WWW-Authenticate"] = 'X-Session-Token realm="api"'
    retry_after = getattr(exc, "wait", None) or getattr(exc, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(max(1, int(retry_after + 0.999)))

    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc.detail)
    elif isinstance(exc, ApiError):
        body = error_body(exc.code, str(exc.detail))
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(str(code), str(exc.detail))
    return Response(body, status=http_status, headers=headers)
