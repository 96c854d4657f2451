"""Staff screens for orders. Status changes go through orders.services, never through the form."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from orders.exceptions import OrderError
from orders.models import Order, OrderEvent, OrderLine, Payment, ShippingMethod
from orders.services import payments, status


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin[ShippingMethod]):
    list_display = ("name", "code", "price", "price_per_kg", "free_over", "currency", "is_active", "position")
    list_editable = ("is_active", "position")
    prepopulated_fields = {"code": ("name",)}


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ("product_title", "variant_name", "sku", "quantity", "unit_price", "line_total")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderEventInline(admin.TabularInline[OrderEvent, Order]):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "user", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentInline(admin.TabularInline[Payment, Order]):
    model = Payment
    extra = 0
    can_delete = False
    fields = ("method", "reference", "amount", "currency", "status", "refunded_amount", "failure_reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False,
        help_text=_("Leave empty to refund everything that is left."),
    )  # fmt: skip
    restock = forms.BooleanField(label=_("Put the items back in stock"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PaymentToRefundFilter(admin.SimpleListFilter):
    """Orders with a payment taken twice (or after cancelling) that staff must give back."""

    title = _("payment to refund")
    parameter_name = "payment_to_refund"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", str(_("Yes")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() != "yes":
            return queryset
        flagged = Payment.objects.filter(
            status__in=[Payment.Status.SUCCEEDED, Payment.Status.PARTLY_REFUNDED],
            failure_reason__startswith=payments.REFUND_FLAG,
        )
        return queryset.filter(pk__in=flagged.values("order_id"))


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ("number", "placed_at", "email", "status", "total", "currency", "payment_method", "paid_at")
    list_filter = (
        PaymentToRefundFilter,
        "status",
        "payment_method",
        ("placed_at", admin.DateFieldListFilter),
        ("paid_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("number", "email", "ship_name", "source_invoice")
    date_hierarchy = "placed_at"
    list_select_related = ("user",)
    inlines = (OrderLineInline, PaymentInline, OrderEventInline)
    actions = ("mark_paid", "ship", "cancel", "refund", "refund_flagged_payments")
    list_per_page = 50
    readonly_fields = [f.name for f in Order._meta.fields if f.name not in ("id",)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from checkout (or the importer), never from a blank form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an order is never lost: cancel or refund it

    def _each(self, request: HttpRequest, queryset: QuerySet[Order], action: Any, done: Callable[[int], str]) -> None:
        count, problems = 0, []
        for order in queryset:
            try:
                action(order)
                count += 1
            except OrderError as error:
                problems.append(f"{order.number}: {error}")
        if count:
            self.message_user(request, done(count))
        for problem in problems:
            self.message_user(request, problem, level=messages.ERROR)

    def _ask(
        self, request: HttpRequest, queryset: QuerySet[Order], form: forms.Form, action: str, title: str
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "admin/orders/order/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "orders": queryset,
                "action": action,
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Mark paid (money received)"), permissions=["change"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        user = cast(User, request.user)

        def act(order: Order) -> None:
            status.order_mark_paid(order=order, user=user, note="Marked paid by staff")

        self._each(request, queryset, act, lambda n: ngettext("%d order marked paid.", "%d orders marked paid.", n) % n)

    @admin.action(description=_("Ship with a tracking number"), permissions=["change"])
    def ship(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        form = ShipForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._ask(request, queryset, form, "ship", str(_("Ship orders")))
        data, user = form.cleaned_data, cast(User, request.user)

        def act(order: Order) -> None:
            status.order_ship(order=order, carrier=data["carrier"], tracking_number=data["tracking_number"], user=user)

        self._each(request, queryset, act, lambda n: ngettext("%d order shipped.", "%d orders shipped.", n) % n)
        return None

    @admin.action(description=_("Cancel (unpaid orders; returns stock)"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._ask(request, queryset, form, "cancel", str(_("Cancel orders")))
        reason, user = form.cleaned_data["reason"], cast(User, request.user)

        def act(order: Order) -> None:
            status.order_cancel(order=order, reason=reason, user=user)

        self._each(request, queryset, act, lambda n: ngettext("%d order cancelled.", "%d orders cancelled.", n) % n)
        return None

    @admin.action(description=_("Refund"), permissions=["change"])
    def refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        form = RefundForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._ask(request, queryset, form, "refund", str(_("Refund orders")))
        data, user = form.cleaned_data, cast(User, request.user)

        def act(order: Order) -> None:
            payments.order_refund(
                order=order,
                amount=data["amount"],
                restock=data["restock"],
                user=user,
                reason=data["reason"],
            )

        self._each(request, queryset, act, lambda n: ngettext("%d order refunded.", "%d orders refunded.", n) % n)
        return None

    @admin.action(description=_("Refund duplicate payments (the order stays paid)"), permissions=["change"])
    def refund_flagged_payments(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        """Give back the payments flagged "Refund it" (taken twice, or after the order was
        cancelled), without touching the order: unlike Refund, which refunds the order itself."""
        user = cast(User, request.user)

        def act(order: Order) -> None:
            flagged = payments.payments_to_refund(order=order)
            if not flagged:
                raise OrderError(_("No payment of this order is waiting for a refund."))
            for payment in flagged:
                payments.payment_flagged_refund(payment=payment, user=user)

        self._each(
            request,
            queryset,
            act,
            lambda n: ngettext("Payments refunded for %d order.", "Payments refunded for %d orders.", n) % n,
        )
