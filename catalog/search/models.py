"""Search data: the database backend's documents and vocabulary, staff's synonyms, and the search log.

Imported at the end of catalog/models.py, so these are models of the catalog app.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One product as the database backend searches, filters and counts it.

    Its words, after catalog.search.analysis (folded, stop words removed, stemmed, so that
    PostgreSQL and SQLite match exactly the same words), are on PostgreSQL in `search_vector`,
    weighted (title A, category B, description C) under a GIN index, and on SQLite in the FTS5
    table catalog_search_fts (both made by migration 0003). The row stays small: facets count every
    matching row.
    """

    product = models.OneToOneField(
        "catalog.Product", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    category_path = models.CharField(max_length=255)
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    in_stock = models.BooleanField()
    popularity = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    indexed_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["category_path"], name="searchdoc_category_path"),
            models.Index(fields=["-popularity"], name="searchdoc_popularity"),
            models.Index(fields=["indexed_at"], name="searchdoc_indexed_at"),
        ]

    def __str__(self) -> str:
        return f"search document {self.pk}"


class SearchAttribute(models.Model):
    """A product attribute value (from Product.attributes), for attribute facets and filters."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="attribute_values")
    name = models.CharField(max_length=60)
    value = models.CharField(max_length=120)

    class Meta:
        indexes = [models.Index(fields=["name", "value"], name="searchattr_name_value")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class SearchTerm(models.Model):
    """A word of the catalogue, with its stem: what the database backend corrects misspellings and
    completes prefixes against (a trigram GIN index on PostgreSQL)."""

    term = models.CharField(max_length=60, unique=True)
    stem = models.CharField(max_length=60, db_index=True)
    documents = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.term


class SearchSynonym(models.Model):
    """Words a shopper may use for the same thing, e.g. "xmas, christmas" or "lampu, lamp, light".

    Expanded when a query is read, for every backend, so an edit applies to the next search without
    reindexing.
    """

    terms = models.CharField(
        _("words"),
        max_length=255,
        unique=True,
        help_text=_('Words or phrases that mean the same, separated by commas: e.g. "tas, bag, tote".'),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms


class SearchQuery(models.Model):
    """One search a shopper made (results page or API), recorded after the response was sent."""

    query = models.CharField(_("query"), max_length=200)
    normalised = models.CharField(_("normalised query"), max_length=200)
    results = models.PositiveIntegerField(_("results"))
    backend = models.CharField(_("backend"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(_("session"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_at"], name="searchquery_created"),
            models.Index(fields=["normalised", "created_at"], name="searchquery_normalised"),
            models.Index(fields=["session_key", "normalised", "created_at"], name="searchquery_session"),
        ]

    def __str__(self) -> str:
        return self.query


class SearchClick(models.Model):
    """A shopper opened a product from a search's results."""

    search = models.ForeignKey(
        SearchQuery, verbose_name=_("search"), null=True, blank=True, on_delete=models.SET_NULL, related_name="clicks"
    )
    normalised = models.CharField(_("normalised query"), max_length=200)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("search click")
        verbose_name_plural = _("search clicks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.normalised} → {self.product_id}"


class RecentSearch(models.Model):
    """A signed-in customer's recent searches, shown only to them (guests' live in their session)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_searches")
    query = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200)
    searched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "normalised"], name="recent_search_once_per_user")]
        indexes = [models.Index(fields=["user", "-searched_at"], name="recent_search_user")]

    def __str__(self) -> str:
        return self.query
