"""What the recommendations learn from (interactions) and what they serve (precomputed lists).

Purchases are not copied here: order lines are the purchase history (orders.OrderLine). This
table holds what orders do not: product views, adds to cart and search clicks, for customers
and for visitors who have not signed in (by an anonymous visitor id, attached to the customer
when they sign in).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Interaction(models.Model):
    class Kind(models.TextChoices):
        VIEW = "view", _("Viewed")
        CART = "cart", _("Added to cart")
        SEARCH_CLICK = "search_click", _("Clicked in search results")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    visitor_id = models.CharField(_("visitor"), max_length=40, blank=True, db_index=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["user", "-occurred_at"], name="interaction_user_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(visitor_id=""), name="interaction_has_actor")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id} by {self.user_id or self.visitor_id}"


class TrainingRun(models.Model):
    """One trained model. The lists of the newest run with `is_current` set are served."""

    backend = models.CharField(_("backend"), max_length=200)
    trained_until = models.DateTimeField(_("trained on interactions before"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    seconds = models.FloatField(_("training time (s)"), default=0)
    summary = models.JSONField(_("summary"), default=dict)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_run")
        ]

    def __str__(self) -> str:
        return f"{self.backend} until {self.trained_until:%Y-%m-%d}"


class RecommendationList(models.Model):
    """A ranked list of product ids for one customer or one product, precomputed by training.

    Stored longer than any slot shows, so that filtering out what is sold out or already on the
    page still leaves enough to show. Read through the cache (recommendations.store).
    """

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="lists")
    slot = models.CharField(_("slot"), max_length=30)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product_ids = models.JSONField(_("product ids"), default=list)

    class Meta:
        verbose_name = _("recommendation list")
        verbose_name_plural = _("recommendation lists")
        constraints = [
            models.UniqueConstraint(fields=["run", "slot", "user", "product"], name="one_list_per_key"),
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(product__isnull=True), name="list_for_user_or_product"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "slot", "user"], name="reco_list_user"),
            models.Index(fields=["run", "slot", "product"], name="reco_list_product"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} for {self.user_id or self.product_id or 'everyone'}"
