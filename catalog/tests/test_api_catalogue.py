from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.cache import CATALOG
from catalog.models import Variant
from catalog.tests.factories import CategoryFactory, ProductImageFactory, VariantFactory, product_with
from shop.pagecache import version_bump

pytestmark = pytest.mark.django_db


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, **params.pop("headers", {}))
    return response, len(captured)


def test_the_product_list_gives_a_page_of_products_with_prices_as_strings_and_stock_state(client):
    lights = CategoryFactory(name="Lights", slug="lights")
    lantern = VariantFactory(product__title="White Metal Lantern", product__category=lights, price=Decimal("3.39"))
    VariantFactory(product=lantern.product, sku="71053-B", price=Decimal("2.5"), stock=0)
    ProductImageFactory(product=lantern.product)

    response = client.get("/api/v1/products/")

    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["page"], data["pages"], data["page_size"], data["next"]) == (1, 1, 1, 24, None)
    product = data["results"][0]
    assert product["title"] == "White Metal Lantern"
    assert product["price"] == {"amount": "2.50", "currency": "GBP"}
    assert product["in_stock"] is True and product["on_sale"] is False
    assert product["category"] == {"slug": "lights", "name": "Lights"}
    assert product["url"] == f"http://testserver/p/{lantern.product.slug}/"
    assert product["image"]["medium"].startswith("http://testserver/media/") and product["image"]["medium"].endswith(
        ".webp"
    )


def test_the_product_list_filters_by_category_subtree_price_and_stock_and_sorts_with_stable_pages(client):
    home = CategoryFactory(slug="home")
    kitchen = CategoryFactory(slug="kitchen", parent=home)
    VariantFactory(product__title="Mug", product__category=kitchen, price=Decimal("2.00"))
    VariantFactory(product__title="Teapot", product__category=home, price=Decimal("12.00"))
    VariantFactory(product__title="Sold out jug", product__category=home, price=Decimal("5.00"), stock=0)
    VariantFactory(product__title="Elsewhere", price=Decimal("1.00"))

    def titles(**params):
        return [p["title"] for p in client.get("/api/v1/products/", params).json()["results"]]

    assert titles(category="home", sort="price") == ["Mug", "Sold out jug", "Teapot"]
    assert titles(category="home", sort="price", in_stock="true") == ["Mug", "Teapot"]
    assert titles(price_min="2", price_max="5", sort="-price") == ["Sold out jug", "Mug"]
    first = client.get("/api/v1/products/", {"sort": "price", "page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert [p["title"] for p in first["results"]] == ["Elsewhere", "Mug"]
    assert [p["title"] for p in second["results"]] == ["Sold out jug", "Teapot"]
    assert second["previous"].endswith("page=1&page_size=2&sort=price") and second["next"] is None


@pytest.mark.parametrize(
    ("params", "status", "code", "fields"),
    [
        ({"price_min": "cheap"}, 400, "invalid", {"price_min": ["Enter a number."]}),
        ({"price_min": "9", "price_max": "2"}, 400, "invalid", {}),
        (
            {"sort": "random"},
            400,
            "invalid",
            {"sort": ["Select a valid choice. random is not one of the available choices."]},
        ),
        ({"category": "nope"}, 400, "invalid", {"category": ["There is no category “nope”."]}),
        ({"page_size": "1000"}, 400, "invalid", {"page_size": ["Give a page size from 1 to 100."]}),
        ({"page": "0"}, 400, "invalid", {"page": ["Ensure this value is greater than or equal to 1."]}),
        ({"page": "99"}, 404, "not_found", {}),
    ],
)
def test_bad_list_parameters_are_a_4xx_in_the_one_error_shape(client, params, status, code, fields):
    VariantFactory()
    response = client.get("/api/v1/products/", params)
    assert response.status_code == status
    body = response.json()
    assert (body["code"], body["fields"]) == (code, fields)
    assert body["message"]


def test_the_product_detail_gives_variants_with_money_stock_status_and_pictures(client, settings):
    settings.CATALOG_LOW_STOCK = 5
    product = product_with(variants=3, images=2, title="Jumbo Bag", slug="jumbo-bag")
    small, _, large = product.variants.order_by("position")
    Variant.objects.filter(pk=small.pk).update(stock=3, compare_at_price=Decimal("12.00"))
    Variant.objects.filter(pk=large.pk).update(stock=0)

    data = client.get("/api/v1/products/jumbo-bag/").json()

    assert data["title"] == "Jumbo Bag" and data["in_stock"] is True
    assert [v["stock_status"] for v in data["variants"]] == ["low_stock", "in_stock", "out_of_stock"]
    assert [v["stock"] for v in data["variants"]] == [3, None, None]
    assert data["variants"][0]["price"] == {"amount": "9.99", "currency": "GBP"}
    assert data["variants"][0]["compare_at_price"] == {"amount": "12.00", "currency": "GBP"}
    assert data["variants"][0]["on_sale"] is True and data["variants"][1]["compare_at_price"] is None
    assert len(data["images"]) == 2 and data["images"][0]["url"].startswith("http://testserver/media/")
    assert data["breadcrumbs"] == [data["category"]]


def test_an_unknown_or_withdrawn_product_is_a_404(client):
    VariantFactory(product__slug="gone", product__is_active=False)
    for slug in ("gone", "never-was", "x" * 300):
        response = client.get(f"/api/v1/products/{slug}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_categories_come_as_the_tree_in_order_with_their_parents(client):
    home = CategoryFactory(name="Home", slug="home")
    CategoryFactory(name="Kitchen", slug="kitchen", parent=home)
    CategoryFactory(name="Bags", slug="bags")

    data = client.get("/api/v1/categories/").json()

    assert [(c["slug"], c["parent"], c["depth"]) for c in data] == [
        ("bags", None, 1), ("home", None, 1), ("kitchen", "home", 2),
    ]  # fmt: skip


def test_catalogue_lists_run_the_same_number_of_queries_for_one_product_or_many(client):
    CategoryFactory(slug="a")
    product_with(variants=1, images=1)
    _, one = queries(client, "/api/v1/products/", page_size="50")
    _, categories_one = queries(client, "/api/v1/categories/")
    for _ in range(12):
        product_with(variants=3, images=2)
        CategoryFactory()
    version_bump(CATALOG)  # factories write rows directly; the services would bump it
    response, many = queries(client, "/api/v1/products/", page_size="50")
    assert response.json()["count"] == 13
    _, categories_many = queries(client, "/api/v1/categories/")
    assert many == one
    assert categories_many == categories_one


def test_the_product_detail_runs_the_same_number_of_queries_whatever_its_variants_and_pictures(client):
    product_with(variants=1, images=0, slug="small")
    product_with(variants=6, images=5, slug="big")
    _, small = queries(client, "/api/v1/products/small/")
    _, big = queries(client, "/api/v1/products/big/")
    assert small == big


@pytest.mark.parametrize("url", ["/api/v1/products/", "/api/v1/products/jumbo-bag/", "/api/v1/categories/"])
def test_a_revalidation_with_the_etag_is_a_304_that_runs_no_sql_at_all(client, url):
    product_with(slug="jumbo-bag", images=1)
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "public, no-cache"

    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert len(captured) == 0
    assert again["ETag"] == first["ETag"]

    with CaptureQueriesContext(connection) as captured:
        since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304 and len(captured) == 0


def test_a_cached_response_serves_without_sql_and_a_price_change_shows_at_once(
    client, django_capture_on_commit_callbacks
):
    variant = VariantFactory(product__slug="mug", price=Decimal("3.00"))
    first = client.get("/api/v1/products/mug/")
    listing = client.get("/api/v1/products/")
    with CaptureQueriesContext(connection) as captured:
        cached = client.get("/api/v1/products/mug/")
    assert cached.status_code == 200 and len(captured) == 0 and cached["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.variant_prices_change_by_percent(product_ids=[variant.product_id], percent=Decimal("10"))

    changed = client.get("/api/v1/products/mug/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed.json()["variants"][0]["price"]["amount"] == "3.30"
    relisted = client.get("/api/v1/products/", headers={"If-None-Match": listing["ETag"]})
    assert relisted.status_code == 200 and relisted.json()["results"][0]["price"]["amount"] == "3.30"


def test_a_stock_change_shows_at_once_on_the_product(client, settings, django_capture_on_commit_callbacks):
    settings.CATALOG_LOW_STOCK = 5
    variant = VariantFactory(product__slug="mug", stock=4)
    assert client.get("/api/v1/products/mug/").json()["variants"][0]["stock"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        services.stock_set(variant=variant, quantity=3, reason="count")
    assert client.get("/api/v1/products/mug/").json()["variants"][0]["stock"] == 3


def test_catalogue_responses_are_gzipped_for_clients_that_take_it(client):
    VariantFactory(product__slug="mug")
    response = client.get("/api/v1/products/mug/", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip" and response["ETag"].endswith('-gzip"')
    assert "Accept-Encoding" in response["Vary"]


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "There is no such address in the API.", "fields": {}}


def test_an_address_without_its_final_slash_is_redirected_for_reads_and_named_for_writes(client):
    assert client.get("/api/v1/products?page=2")["Location"] == "/api/v1/products/?page=2"
    response = client.post("/api/v1/cart", {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["message"] == "API addresses end with a slash: /api/v1/cart/"
    assert client.get("/api/v1/nothing").json()["message"] == "There is no such address in the API."


@pytest.mark.parametrize("url", ["/api/v1/products/", "/api/v1/products/mug/", "/api/v1/categories/"])
def test_a_read_this_process_holds_is_the_same_response_and_still_counts_against_the_rate(
    client, settings, monkeypatch, url
):
    from rest_framework.throttling import SimpleRateThrottle

    settings.PAGE_NEAR_SECONDS = 5
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "catalogue": "3/min"}
    )
    VariantFactory(product__slug="mug", price=Decimal("3.00"))
    first = client.get(url)  # through DRF, and now held in this process's memory
    with CaptureQueriesContext(connection) as captured:
        held = client.get(url, headers={"Accept": "application/json"})
    assert len(captured) == 0 and held.status_code == 200 and held.content == first.content
    assert [held[name] for name in ("ETag", "Allow", "Content-Type")] == [
        first["ETag"],
        "GET, HEAD, OPTIONS",
        "application/json",
    ]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    over = client.get(url)
    assert over.status_code == 429 and over.json()["code"] == "throttled"
