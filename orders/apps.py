"""Carts, checkout, payments and orders."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from orders.signals import cart_count_refresh_on_sign_in_or_out, cart_merge_on_sign_in

        user_logged_in.connect(cart_merge_on_sign_in, dispatch_uid="orders.cart_merge_on_sign_in")
        user_logged_in.connect(cart_count_refresh_on_sign_in_or_out, dispatch_uid="orders.cart_count_on_sign_in")
        user_logged_out.connect(cart_count_refresh_on_sign_in_or_out, dispatch_uid="orders.cart_count_on_sign_out")
