import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Variant

# Order numbers: short, easy to read out on the phone, and not guessable (no 0/O, 1/I/L).
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def order_number_new() -> str:
    return "PSR-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def _shop_currency() -> str:
    return str(settings.SHOP_CURRENCY)


class ShippingMethod(models.Model):
    """A staff-configured rate: a base price, plus a price per started kilogram if set, free when
    the subtotal reaches a threshold if set. Flat, free-above and by-weight rates are all this."""

    name = models.CharField(_("name"), max_length=80)
    code = models.SlugField(_("code"), unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    price = models.DecimalField(_("base price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    price_per_kg = models.DecimalField(
        _("price per started kg"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    free_over = models.DecimalField(
        _("free when the subtotal reaches"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default=_shop_currency)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="shipping_price_not_negative")]

    def __str__(self) -> str:
        return self.name


class Cart(models.Model):
    """A shopper's cart: a customer's (one open cart each) or a guest's, found by session or token.

    `order` is set when the cart is checked out; a cart places one order at most, which is what
    makes a double-clicked "Place order" create one order.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.OneToOneField(
        "Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="cart", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(order__isnull=True, user__isnull=False), name="one_open_cart_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # The price the shopper saw when adding, to tell them when it has changed since.
    price_seen = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × variant {self.variant_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        PROCESSING = "processing", _("Processing")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    # number, idempotency_key and status are indexed in Meta rather than with unique/db_index: a
    # field's own index on PostgreSQL comes with a second, "_like" pattern index that no query here
    # can use (the admin's search is a case-insensitive "contains") and every order would maintain.
    number = models.CharField(_("number"), max_length=16, default=order_number_new, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,  # order_user_recent (user, -placed_at) serves every lookup by user
    )
    email = models.EmailField(_("e-mail"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    language = models.CharField(_("language"), max_length=8, default="en")
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2)
    tax_total = models.DecimalField(_("tax"), max_digits=12, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    refunded_total = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=Decimal("0"))
    shipping_method_name = models.CharField(_("shipping method"), max_length=80)
    payment_method = models.CharField(_("payment method"), max_length=30)
    ship_name = models.CharField(_("name"), max_length=120)
    ship_line1 = models.CharField(_("address"), max_length=200)
    ship_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    ship_city = models.CharField(_("town or city"), max_length=100)
    ship_postcode = models.CharField(_("postcode"), max_length=20)
    ship_country = models.CharField(_("country"), max_length=2)
    ship_phone = models.CharField(_("phone"), max_length=32, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    # NULL, not "", when there is none: the unique constraint lets any number of NULLs through.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, editable=False)  # noqa: DJ001
    # Lets a guest open their own order from the confirmation e-mail without an account.
    access_token = models.UUIDField(default=uuid.uuid4, editable=False)
    source_invoice = models.CharField(
        _("source invoice"), max_length=20, blank=True, help_text=_("Invoice number in imported data, if any.")
    )
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-placed_at"], name="order_user_recent"),
            models.Index(fields=["status"], name="order_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="order_number_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="order_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0) & Q(refunded_total__lte=models.F("total")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"number": self.number})


class OrderLine(models.Model):
    """A snapshot of what was bought: later catalogue changes never alter an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_title = models.CharField(_("product"), max_length=200)
    variant_name = models.CharField(_("variant"), max_length=120, blank=True)
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class OrderEvent(models.Model):
    """Every change of an order's status: who, when and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '∅'} → {self.to_status}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=30)
    reference = models.CharField(_("provider reference"), max_length=120)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=12, decimal_places=2, default=Decimal("0"))
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["method", "reference"], name="payment_reference_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.reference}"


class WebhookEvent(models.Model):
    """Each provider event processed once: a replayed delivery finds its row and does nothing."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=60)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
