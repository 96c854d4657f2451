import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from recommendations import store
from recommendations.backends import backends_reset
from recommendations.models import RecommendationList, TrainingRun
from recommendations.selectors import SlotRequest, Visitor, slot_get, slots_resolve
from recommendations.services import model_train
from recommendations.tests.factories import customer, purchase, sold_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Eight customers who buy the same basket (with a sold-out and an inactive product in it)
    twice, half of them with one more product; one customer who bought something else."""
    products = [sold_product() for _ in range(8)]
    sold_out = sold_product(stock=0)
    inactive = sold_product(active=False)
    regulars = [customer() for _ in range(8)]
    for n, user in enumerate(regulars):
        basket = [products[0], products[1], sold_out, inactive] + ([products[2]] if n < 4 else [products[3]])
        purchase(user, basket, datetime(2011, 1, 10 + n, tzinfo=UTC))
        purchase(user, [products[0], products[1], products[4]], datetime(2011, 2, 10 + n, tzinfo=UTC))
    loner = customer()
    purchase(loner, [products[5], products[6]], datetime(2011, 2, 1, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        model_train()
    return {"products": products, "sold_out": sold_out, "inactive": inactive, "regulars": regulars, "loner": loner}


def _slugs(html: str, section: str) -> list[str]:
    match = re.search(rf'data-reco-slot="{section}".*?</section>', html, re.S)
    return re.findall(r'href="/p/([^/"]+)/"', match.group(0)) if match else []


def test_training_stores_every_list_in_the_database_and_the_cache(shop: dict[str, Any]) -> None:
    run = TrainingRun.objects.get(is_current=True)
    regular = shop["regulars"][0]
    assert RecommendationList.objects.filter(run=run, slot="for_you", user=regular).exists()
    assert cache.get(store.user_key("buy_again", regular.pk))
    assert cache.get(store.product_key("bought_together", shop["products"][0].pk))
    assert cache.get(store.global_key("best_sellers"))[0] == shop["products"][0].pk


def test_a_list_missing_from_the_cache_is_read_from_the_database_once(shop: dict[str, Any]) -> None:
    key = store.user_key("for_you", shop["regulars"][0].pk)
    cache.delete(key)
    with CaptureQueriesContext(connection) as first:
        assert store.lists_get([key])[key]
    with CaptureQueriesContext(connection) as second:
        assert store.lists_get([key])[key]
    assert len(first) == 1 and len(second) == 0


def test_product_page_slots_show_only_active_in_stock_products_never_the_viewed_one_nor_one_twice(
    shop: dict[str, Any], client: Client
) -> None:
    viewed = shop["products"][0]
    html = client.get(viewed.get_absolute_url()).content.decode()
    also, together = _slugs(html, "also_viewed"), _slugs(html, "bought_together")
    shown = also + together
    assert shown, "the product page shows recommendations"
    assert viewed.slug not in shown
    assert shop["sold_out"].slug not in shown and shop["inactive"].slug not in shown
    assert len(shown) == len(set(shown))
    assert shop["products"][1].slug in shown


def test_slots_of_a_page_cost_three_queries_whatever_their_number(shop: dict[str, Any]) -> None:
    viewed = Product.objects.get(pk=shop["products"][0].pk)
    slots_resolve(requests=[SlotRequest("also_viewed")], product=viewed)  # warm the lists
    with CaptureQueriesContext(connection) as one:
        slots_resolve(requests=[SlotRequest("also_viewed")], product=viewed)
    with CaptureQueriesContext(connection) as three:
        slots_resolve(
            requests=[SlotRequest("also_viewed"), SlotRequest("bought_together"), SlotRequest("best_sellers")],
            product=viewed,
        )
    assert len(one) == len(three) == 3


def test_a_customer_with_history_gets_their_own_list_and_a_stranger_the_best_sellers(shop: dict[str, Any]) -> None:
    regular = shop["regulars"][0]
    mine = slot_get(slot="for_you", visitor=Visitor(user_id=regular.pk))
    stranger = slot_get(slot="for_you", visitor=Visitor())
    assert mine.personal and not stranger.personal
    assert [p.pk for p in stranger.products][:1] == [shop["products"][0].pk]
    assert {p.pk for p in mine.products} >= {shop["products"][0].pk, shop["products"][1].pk}


def test_new_for_you_leaves_out_what_the_customer_bought(shop: dict[str, Any]) -> None:
    regular = shop["regulars"][0]  # bought products 0, 1, 2 and 4
    result = slot_get(slot="new_for_you", visitor=Visitor(user_id=regular.pk))
    bought = {shop["products"][n].pk for n in (0, 1, 2, 4)}
    assert result.products and not bought & {p.pk for p in result.products}
    assert result.products[0].pk == shop["products"][3].pk  # what customers like them also bought


def test_home_page_is_the_same_for_everyone_and_the_fragment_is_personal(shop: dict[str, Any], client: Client) -> None:
    home = client.get("/").content.decode()
    assert 'data-reco-fragment="/recommendations/slot/for_you/' in home
    assert client.get("/recommendations/slot/for_you/").status_code == 204  # a stranger keeps the best sellers
    client.force_login(shop["regulars"][0])
    assert client.get("/").content.decode() == home
    fragment = client.get("/recommendations/slot/for_you/")
    assert fragment.status_code == 200 and shop["products"][0].slug in fragment.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/recommendations/slot/for_you/")
    assert again["X-Page-Cache"] == "hit" and len(queries) == 0


def test_buy_it_again_is_on_the_order_history(shop: dict[str, Any], client: Client) -> None:
    client.force_login(shop["regulars"][0])
    html = client.get(reverse("orders:history")).content.decode()
    assert shop["products"][1].slug in _slugs(html, "buy_again")


def test_the_api_gives_a_slot_and_refuses_an_unknown_one(shop: dict[str, Any], client: Client) -> None:
    viewed = shop["products"][0]
    response = client.get("/api/v1/recommendations/", {"slot": "bought_together", "product": viewed.slug})
    assert response.status_code == 200
    slugs = [item["slug"] for item in response.json()["results"]]
    assert slugs and viewed.slug not in slugs and shop["sold_out"].slug not in slugs
    assert isinstance(response.json()["results"][0]["price"]["amount"], str)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/recommendations/", {"slot": "bought_together", "product": viewed.slug})
    assert again.json() == response.json() and len(queries) == 0  # from the cache
    bad = client.get("/api/v1/recommendations/", {"slot": "nonsense"})
    assert bad.status_code == 400 and "slot" in bad.content.decode()
    assert client.get("/api/v1/recommendations/", {"slot": "also_viewed"}).status_code == 400
    assert client.get("/api/v1/recommendations/", {"slot": "also_viewed", "product": "no-such"}).status_code == 404


class _FailingBackend:
    def __init__(self, **options: Any) -> None:
        pass

    def recommend(self, query: Any) -> list[int]:
        raise TimeoutError("the remote backend took too long")


def test_the_local_model_answers_when_the_remote_backend_fails(shop: dict[str, Any], settings: Any) -> None:
    settings.RECOMMENDATIONS_BACKEND = f"{__name__}._FailingBackend"
    backends_reset()
    try:
        result = slot_get(slot="for_you", visitor=Visitor(user_id=shop["regulars"][0].pk))
    finally:
        backends_reset()
    assert result.personal and result.products


def test_a_new_customer_gets_recommended_for_you_from_what_they_just_viewed(
    shop: dict[str, Any], client: Client
) -> None:
    newcomer = customer()  # signed up after the training run: no list of their own
    client.force_login(newcomer)
    assert client.get("/recommendations/slot/for_you/").status_code == 204  # nothing to go on yet
    client.get(shop["products"][0].get_absolute_url())
    fragment = client.get("/recommendations/slot/for_you/")  # the cache key follows their history
    assert fragment.status_code == 200
    shown = re.findall(r'href="/p/([^/"]+)/"', fragment.content.decode())
    assert shown[0] == shop["products"][1].slug  # viewed alongside what they viewed, then best sellers
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/recommendations/slot/for_you/")
    assert again["X-Page-Cache"] == "hit" and len(queries) == 0
    client.get(shop["products"][5].get_absolute_url())
    assert client.get("/recommendations/slot/for_you/")["X-Page-Cache"] != "hit"


def test_buy_it_again_falls_back_to_the_customers_own_orders_until_training(
    shop: dict[str, Any], client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    products = shop["products"]
    newcomer = customer()
    with django_capture_on_commit_callbacks(execute=True):
        purchase(newcomer, [products[5], products[2]], datetime(2026, 11, 1, tzinfo=UTC))
        purchase(newcomer, [products[2]], datetime(2026, 11, 2, tzinfo=UTC))
    client.force_login(newcomer)
    html = client.get(reverse("orders:history")).content.decode()
    assert _slugs(html, "buy_again") == [products[2].slug, products[5].slug]  # most bought first
    with CaptureQueriesContext(connection) as queries:
        assert store.customer_bought(newcomer.pk) == [products[2].pk, products[5].pk]
    assert len(queries) == 0, "cached after the first read"
    with django_capture_on_commit_callbacks(execute=True):
        purchase(newcomer, [products[6], products[6]], datetime(2026, 11, 3, tzinfo=UTC))
    assert store.customer_bought(newcomer.pk)[0] == products[6].pk, "a new order is seen at once"


def test_for_you_of_a_customer_without_a_list_draws_on_their_orders(shop: dict[str, Any]) -> None:
    newcomer = customer()
    purchase(newcomer, [shop["products"][0]], datetime(2026, 11, 1, tzinfo=UTC))
    result = slot_get(slot="for_you", visitor=Visitor(user_id=newcomer.pk))
    assert result.personal and result.products[0].pk == shop["products"][1].pk  # bought with what they bought


def test_the_indonesian_product_page_shows_the_headings_in_indonesian(shop: dict[str, Any], client: Client) -> None:
    html = client.get("/id" + shop["products"][0].get_absolute_url()).content.decode()
    assert "Pelanggan yang melihat produk ini juga melihat" in html
    assert "Customers who viewed this also viewed" not in html
