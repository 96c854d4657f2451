"""Personalised recommendations (docs/recommendations.md)."""

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from recommendations.signals import history_attach_on_sign_in

        user_logged_in.connect(history_attach_on_sign_in, dispatch_uid="recommendations.history_attach_on_sign_in")
