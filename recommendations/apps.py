"""Personalised recommendations (docs/recommendations.md)."""

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from recommendations.signals import bought_forget_on_order_save, history_attach_on_sign_in

        user_logged_in.connect(history_attach_on_sign_in, dispatch_uid="recommendations.history_attach_on_sign_in")
        post_save.connect(
            bought_forget_on_order_save,
            sender="orders.Order",
            dispatch_uid="recommendations.bought_forget_on_order_save",
        )
