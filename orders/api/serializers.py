"""JSON shapes of the cart, checkout and order API. Serializers read and validate; they never write
(the views call orders.services). Money is a string amount with its currency; times are ISO 8601
with their zone."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Order, OrderLine, Payment, ShippingMethod
from orders.payments import order_transfer_details
from orders.selectors import PricedCart, PricedLine
from orders.services.checkout import Quote
from shop.api.fields import MoneySerializer, money

MAX_QUANTITY = 999


class CartProductSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    title = serializers.CharField()
    image = serializers.URLField(allow_null=True, help_text="A WebP picture at most 240 px wide and high.")


class CartLineSerializer(serializers.Serializer[PricedLine]):
    id = serializers.IntegerField(source="line.pk", help_text="For PATCH and DELETE /api/v1/cart/lines/<id>/.")
    sku = serializers.CharField(source="line.variant.sku")
    variant_name = serializers.CharField(source="line.variant.name")
    product = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    unit_price = serializers.SerializerMethodField(help_text="Today's price.")
    line_total = serializers.SerializerMethodField()
    price_changed = serializers.BooleanField(help_text="The price differs from when the line was added.")
    price_seen = serializers.SerializerMethodField(help_text="The price when the line was added (or last changed).")
    problem = serializers.SerializerMethodField(
        help_text="Why the line cannot be bought as it is: not_sold (withdrawn), sold_out, short (fewer "
        "left than wanted) or over_limit (more than one order may hold); null when it can."
    )
    available = serializers.SerializerMethodField(help_text="Units that can be bought, given only with a problem.")

    @extend_schema_field(CartProductSerializer)
    def get_product(self, priced: PricedLine) -> dict[str, Any]:
        product = priced.line.variant.product
        images = list(product.images.all())
        request = self.context["request"]
        return {
            "slug": product.slug,
            "title": product.title,
            "image": request.build_absolute_uri(images[0].thumb_small.url) if images else None,
        }

    def _currency(self, priced: PricedLine) -> str:
        return priced.line.variant.currency

    @extend_schema_field(MoneySerializer)
    def get_unit_price(self, priced: PricedLine) -> dict[str, str] | None:
        return money(priced.unit_price, self._currency(priced))

    @extend_schema_field(MoneySerializer)
    def get_line_total(self, priced: PricedLine) -> dict[str, str] | None:
        return money(priced.total, self._currency(priced))

    @extend_schema_field(MoneySerializer)
    def get_price_seen(self, priced: PricedLine) -> dict[str, str] | None:
        return money(priced.line.price_seen, self._currency(priced))

    @extend_schema_field(
        serializers.ChoiceField(choices=["not_sold", "sold_out", "short", "over_limit"], allow_null=True)
    )
    def get_problem(self, priced: PricedLine) -> str | None:
        if not priced.line.variant.product.is_active:
            return "not_sold"
        if priced.available <= 0:
            return "sold_out"
        if priced.short:
            return "short"
        if priced.over_limit:
            return "over_limit"
        return None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_available(self, priced: PricedLine) -> int | None:
        if self.get_problem(priced) is None:
            return None
        limits = [max(priced.available, 0)]
        if priced.max_per_order is not None:
            limits.append(priced.max_per_order)
        return min(limits)


class CartSerializer(serializers.Serializer[PricedCart]):
    token = serializers.SerializerMethodField(
        help_text="A guest cart's token: send it as X-Cart-Token. Null for a signed-in customer's cart."
    )
    count = serializers.IntegerField(help_text="Units in the cart.")
    subtotal = serializers.SerializerMethodField()
    lines = CartLineSerializer(many=True)
    has_problems = serializers.SerializerMethodField(help_text="Some line cannot be bought as it is.")
    has_price_changes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_token(self, priced: PricedCart) -> str | None:
        cart = priced.cart
        return str(cart.token) if cart is not None and cart.user_id is None else None

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, priced: PricedCart) -> dict[str, str] | None:
        return money(priced.subtotal, priced.currency)

    def get_has_problems(self, priced: PricedCart) -> bool:
        return bool(priced.problems)

    def get_has_price_changes(self, priced: PricedCart) -> bool:
        return bool(priced.changed_lines)


class CartLineAddSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64, help_text="A variant's SKU, from the product's variants.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)


class CartLineUpdateSerializer(serializers.Serializer[Any]):
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY, help_text="0 removes the line.")


class ShippingMethodSerializer(serializers.Serializer[ShippingMethod]):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.SerializerMethodField(help_text="For the cart sent (X-Cart-Token or the customer's), if any.")
    free_over = serializers.SerializerMethodField(help_text="Free when the subtotal reaches this; null if never.")

    @extend_schema_field(MoneySerializer)
    def get_price(self, method: ShippingMethod) -> dict[str, str] | None:
        return money(self.context["prices"][method.pk], method.currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_free_over(self, method: ShippingMethod) -> dict[str, str] | None:
        return money(method.free_over, method.currency)


class PaymentMethodSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    online = serializers.BooleanField(
        help_text="Paid before the order ships (the order awaits payment; POST checkout answers with a next "
        "action); otherwise paid on delivery or by transfer."
    )


class CountrySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="ISO 3166 code, for shipping_address.country.")
    name = serializers.CharField(help_text="In the request's language (Accept-Language).")


class QuoteSerializer(serializers.Serializer[Quote]):
    shipping_method = serializers.SerializerMethodField()
    lines = CartLineSerializer(many=True, source="priced.lines")
    subtotal = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField(help_text="The tax included in the total (0.00 where none is shown).")
    total = serializers.SerializerMethodField(help_text="Send its amount as expected_total when placing the order.")

    def get_shipping_method(self, quote: Quote) -> str:
        return str(self.context["shipping_method"].code)

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, quote: Quote) -> dict[str, str] | None:
        return money(quote.priced.subtotal, quote.currency)

    @extend_schema_field(MoneySerializer)
    def get_shipping(self, quote: Quote) -> dict[str, str] | None:
        return money(quote.shipping, quote.currency)

    @extend_schema_field(MoneySerializer)
    def get_tax(self, quote: Quote) -> dict[str, str] | None:
        return money(quote.tax, quote.currency)

    @extend_schema_field(MoneySerializer)
    def get_total(self, quote: Quote) -> dict[str, str] | None:
        return money(quote.total, quote.currency)


class AddressInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    postcode = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=2, help_text="ISO 3166 code; see GET /api/v1/checkout/countries/.")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class CheckoutSerializer(serializers.Serializer[Any]):
    """Types only; the rules (postcodes, countries, methods) are CheckoutForm's, as on the site."""

    email = serializers.EmailField(required=False, help_text="Required for guests; a customer's own by default.")
    shipping_address = AddressInputSerializer(required=False)
    address_id = serializers.IntegerField(
        required=False, min_value=1, help_text="A customer's saved address, instead of shipping_address."
    )
    shipping_method = serializers.CharField(max_length=50)
    payment_method = serializers.CharField(max_length=30)
    expected_total = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="The quote's total amount: if prices changed since, the order is refused with 409 prices_changed.",
    )
    save_address = serializers.BooleanField(default=False, help_text="Customers: keep the address in the book.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "shipping_address" not in attrs and "address_id" not in attrs:
            raise serializers.ValidationError(
                {"shipping_address": [_("Give a shipping address, or the id of one in your address book.")]}
            )
        return attrs


class NextActionSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["redirect_to_url"])
    url = serializers.URLField(
        help_text="Open it in a browser or web view: the provider's payment page. The result arrives by the "
        "provider's webhook; poll GET /api/v1/orders/<number>/ until the status is paid."
    )


class PaymentSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    failure_reason = serializers.CharField()
    next_action = NextActionSerializer(allow_null=True)


class OrderLineSerializer(serializers.Serializer[OrderLine]):
    sku = serializers.CharField()
    product_title = serializers.CharField()
    variant_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.SerializerMethodField()
    line_total = serializers.SerializerMethodField()

    @extend_schema_field(MoneySerializer)
    def get_unit_price(self, line: OrderLine) -> dict[str, str] | None:
        return money(line.unit_price, line.order.currency)

    @extend_schema_field(MoneySerializer)
    def get_line_total(self, line: OrderLine) -> dict[str, str] | None:
        return money(line.line_total, line.order.currency)


class ShippingAddressSerializer(serializers.Serializer[Order]):
    name = serializers.CharField(source="ship_name")
    line1 = serializers.CharField(source="ship_line1")
    line2 = serializers.CharField(source="ship_line2")
    city = serializers.CharField(source="ship_city")
    postcode = serializers.CharField(source="ship_postcode")
    country = serializers.CharField(source="ship_country")
    phone = serializers.CharField(source="ship_phone")


def _order_money(order: Order, amount: Decimal) -> dict[str, str] | None:
    return money(amount, order.currency)


class OrderSummarySerializer(serializers.Serializer[Order]):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    placed_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    total = serializers.SerializerMethodField()
    item_count = serializers.SerializerMethodField()

    @extend_schema_field(MoneySerializer)
    def get_total(self, order: Order) -> dict[str, str] | None:
        return _order_money(order, order.total)

    def get_item_count(self, order: Order) -> int:
        return sum(line.quantity for line in order.lines.all())


class TransferDetailsSerializer(serializers.Serializer[dict[str, str]]):
    account_name = serializers.CharField()
    bank_name = serializers.CharField()
    sort_code = serializers.CharField(help_text="UK sort code; empty when the shop gives an IBAN only.")
    account_number = serializers.CharField()
    iban = serializers.CharField()
    bic = serializers.CharField()
    reference = serializers.CharField(help_text="Quote this with the transfer: the order number.")


class OrderSerializer(OrderSummarySerializer):
    email = serializers.EmailField()
    subtotal = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()
    refunded = serializers.SerializerMethodField()
    shipping_method = serializers.CharField(source="shipping_method_name")
    payment_method = serializers.CharField()
    shipping_address = ShippingAddressSerializer(source="*")
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    lines = OrderLineSerializer(many=True)
    payment = serializers.SerializerMethodField(
        help_text="The latest payment attempt of an online method; null for cash on delivery and bank transfer."
    )
    transfer_to = serializers.SerializerMethodField(
        help_text="Where to send a bank transfer and what to quote, while the order awaits it; else null."
    )

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, order: Order) -> dict[str, str] | None:
        return _order_money(order, order.subtotal)

    @extend_schema_field(MoneySerializer)
    def get_shipping(self, order: Order) -> dict[str, str] | None:
        return _order_money(order, order.shipping_total)

    @extend_schema_field(MoneySerializer)
    def get_tax(self, order: Order) -> dict[str, str] | None:
        return _order_money(order, order.tax_total)

    @extend_schema_field(MoneySerializer)
    def get_refunded(self, order: Order) -> dict[str, str] | None:
        return _order_money(order, order.refunded_total)

    @extend_schema_field(TransferDetailsSerializer(allow_null=True))
    def get_transfer_to(self, order: Order) -> dict[str, str] | None:
        if order.status != Order.Status.AWAITING_PAYMENT:
            return None
        return order_transfer_details(order)

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, order: Order) -> dict[str, Any] | None:
        payments = list(order.payments.all())
        if not payments:
            return None
        latest = max(payments, key=lambda payment: payment.pk)
        next_url = self.context.get("next_url")
        return {
            "status": latest.status,
            "failure_reason": latest.failure_reason,
            "next_action": {"type": "redirect_to_url", "url": next_url} if next_url else None,
        }
