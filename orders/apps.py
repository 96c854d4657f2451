"""Carts, checkout, payments and orders."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from orders.signals import cart_merge_on_sign_in

        user_logged_in.connect(cart_merge_on_sign_in, dispatch_uid="orders.cart_merge_on_sign_in")
