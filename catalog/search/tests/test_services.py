import logging
from decimal import Decimal

import pytest

from catalog import services as catalog_services
from catalog.models import StockAdjustment
from catalog.search import selectors, services
from catalog.search.backends import backend_is_resting, search_backend
from catalog.search.models import SearchDocument, SearchSynonym
from catalog.search.tests.conftest import opensearch_backend, product
from catalog.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def found(q: str) -> list[str]:
    return [p.title for p in selectors.search_page(q=q).page.object_list]


def test_catalogue_changes_reach_the_index_once_they_commit(django_capture_on_commit_callbacks):
    category = CategoryFactory(name="Lights")
    with django_capture_on_commit_callbacks(execute=True):
        lantern = catalog_services.product_create(
            category=category,
            title="White Metal Lantern",
            variants=[{"sku": "L1", "price": Decimal("4.25"), "stock": 1}],
        )
    assert found("lantern") == ["White Metal Lantern"]
    variant = lantern.variants.get()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.stock_adjust(variant=variant, delta=-1, reason=StockAdjustment.Reason.DAMAGED)
    assert SearchDocument.objects.get(pk=lantern.pk).in_stock is False
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.variant_prices_change_by_percent(product_ids=[lantern.pk], percent=Decimal("100"))
    assert SearchDocument.objects.get(pk=lantern.pk).price == Decimal("8.50")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.products_set_active(product_ids=[lantern.pk], active=False)
    assert found("lantern") == []
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.product_delete(product=lantern)
    assert not SearchDocument.objects.exists()


def test_a_stock_change_that_stays_above_zero_queues_nothing(django_capture_on_commit_callbacks):
    lantern = product("White Metal Lantern", stock=5)
    variant = lantern.variants.get()
    with django_capture_on_commit_callbacks() as callbacks:
        catalog_services.stock_adjust(variant=variant, delta=-1, reason=StockAdjustment.Reason.DAMAGED)
    assert len(callbacks) == 1  # the page cache's, not search's
    with django_capture_on_commit_callbacks() as callbacks:
        catalog_services.stock_set(variant=variant, quantity=0, reason=StockAdjustment.Reason.COUNT)
    assert len(callbacks) == 2


def test_a_catalogue_change_never_fails_because_search_is_down(settings, django_capture_on_commit_callbacks, caplog):
    settings.SEARCH_BACKEND = "catalog.search.backends.opensearch.OpenSearchSearchBackend"
    settings.SEARCH_BACKEND_OPTIONS = {"url": "http://127.0.0.1:9", "index": "down", "timeout": 0.5, "retry_after": 60}
    with caplog.at_level(logging.ERROR, logger="catalog.search"), django_capture_on_commit_callbacks(execute=True):
        catalog_services.product_create(
            category=CategoryFactory(), title="Tin Lantern", variants=[{"sku": "T1", "price": Decimal("1")}]
        )
    assert "could not update the index" in caplog.text
    assert SearchDocument.objects.filter(title="Tin Lantern").exists()  # the fallback is current


def test_search_falls_back_to_the_database_when_opensearch_is_down_and_recovers_by_itself(
    settings, opensearch_url, caplog
):
    lantern = product("White Metal Lantern")
    services.search_products_index(product_ids=[lantern.pk])  # the database backend only, for now
    live = opensearch_backend(opensearch_url, retry_after=0)
    live.index_products([lantern.pk])
    settings.SEARCH_BACKEND = "catalog.search.backends.opensearch.OpenSearchSearchBackend"
    settings.SEARCH_BACKEND_OPTIONS = {**live.options, "url": "http://127.0.0.1:9", "timeout": 0.5}
    with caplog.at_level(logging.WARNING, logger="catalog.search"):
        page = selectors.search_page(q="lantern")
    assert (page.backend, page.total) == ("database", 1)
    assert "opensearch unavailable, the database answers for 0.0s" in caplog.text
    assert backend_is_resting(search_backend()) is False  # retry_after=0: it is tried again at once
    settings.SEARCH_BACKEND_OPTIONS = live.options  # the service is back
    page = selectors.search_page(q="lantern")
    assert (page.backend, page.total) == ("opensearch", 1)


def test_while_opensearch_rests_searches_go_straight_to_the_database(settings, opensearch_url):
    product("White Metal Lantern")
    settings.SEARCH_BACKEND = "catalog.search.backends.opensearch.OpenSearchSearchBackend"
    settings.SEARCH_BACKEND_OPTIONS = {"url": "http://127.0.0.1:9", "index": "x", "timeout": 0.5, "retry_after": 300}
    selectors.search_page(q="lantern")
    assert backend_is_resting(search_backend())
    settings.SEARCH_BACKEND_OPTIONS = {**settings.SEARCH_BACKEND_OPTIONS, "timeout": 0.4}  # another instance
    assert selectors.search_page(q="lantern").backend == "database"


def test_staff_synonyms_are_tidied_and_apply_to_the_next_search(django_capture_on_commit_callbacks):
    SearchSynonym.objects.all().delete()  # those a new shop starts with include this one
    product("Christmas Tree Bauble")
    services.search_index_everything()
    assert found("xmas") == []
    with django_capture_on_commit_callbacks(execute=True):
        synonym = services.synonym_save(synonym=SearchSynonym(terms=" Xmas ,CHRISTMAS, xmas "))
    assert synonym.terms == "xmas, christmas"
    assert found("xmas") == ["Christmas Tree Bauble"]
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_delete(synonym=synonym)
    assert found("xmas") == []


def test_the_reindex_command_rebuilds_every_backend_and_reports_counts(settings, opensearch_url, capsys):
    from django.core.management import call_command

    product("Tin Lantern")
    product("Glass Lantern")
    live = opensearch_backend(opensearch_url)
    settings.SEARCH_BACKEND = "catalog.search.backends.opensearch.OpenSearchSearchBackend"
    settings.SEARCH_BACKEND_OPTIONS = live.options
    call_command("search_reindex", verbosity=0)
    assert capsys.readouterr().out == "database: 2 products indexed\nopensearch: 2 products indexed\n"
    assert selectors.search_page(q="lantern").backend == "opensearch"
    assert selectors.search_page(q="lantern").total == 2
