import gzip
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.tests.factories import CategoryFactory, ProductFactory, VariantFactory, product_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def lights():
    root = CategoryFactory(name="Lights", slug="lights", is_featured=True)
    lanterns = CategoryFactory(name="Lanterns", slug="lanterns", parent=root)
    return root, lanterns


def test_home_shows_featured_categories_new_arrivals_and_best_sellers(client, lights):
    product_with(title="White Metal Lantern", category=lights[1], images=1, popularity=50)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lights" in html
    assert html.count("White Metal Lantern") >= 2  # in new arrivals and in best sellers


def test_a_category_lists_its_whole_subtree_with_breadcrumbs(client, lights):
    root, lanterns = lights
    product_with(title="Lantern In Subcategory", category=lanterns)
    product_with(title="Somewhere Else", category=CategoryFactory(name="Bags"))
    response = client.get(root.get_absolute_url())
    html = response.content.decode()
    assert "Lantern In Subcategory" in html
    assert "Somewhere Else" not in html
    crumbs = client.get(lanterns.get_absolute_url()).content.decode()
    assert re.search(r'href="/c/lights/">Lights</a>.*aria-current="page">Lanterns<', crumbs, re.S)


def test_category_filters_and_sorts_by_price_and_stock(client, lights):
    root = lights[0]
    for title, price, stock in [("Cheap", "1.00", 5), ("Middle", "5.00", 0), ("Dear", "20.00", 5)]:
        product = ProductFactory(title=title, category=root)
        VariantFactory(product=product, price=Decimal(price), stock=stock)
    html = client.get(root.get_absolute_url(), {"sort": "-price"}).content.decode()
    assert html.index("Dear") < html.index("Middle") < html.index("Cheap")
    html = client.get(root.get_absolute_url(), {"price_min": "2", "in_stock": "on"}).content.decode()
    assert "Dear" in html and "Middle" not in html and "Cheap" not in html


def test_bad_filters_get_a_400_that_says_what_is_wrong(client, lights):
    response = client.get(lights[0].get_absolute_url(), {"price_min": "9", "price_max": "2"})
    assert response.status_code == 400
    assert "The minimum price is above the maximum price." in response.content.decode()
    response = client.get(lights[0].get_absolute_url(), {"price_min": "cheap"})
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()


def test_unknown_pages_are_a_friendly_404(client, lights):
    for url in ["/p/no-such-thing/", "/c/no-such-category/", lights[0].get_absolute_url() + "?page=99"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We couldn't find that page" in response.content.decode()


def test_a_product_page_shows_price_stock_variants_and_json_ld(client, lights):
    product = ProductFactory(title="Knitted Union Flag Hot Water Bottle", category=lights[1])
    VariantFactory(product=product, sku="84029G", name="Small", price=Decimal("3.39"), stock=2, position=0)
    VariantFactory(product=product, sku="84029E", name="Large", price=Decimal("4.25"), stock=0, position=1)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "£3.39" in html and "Only 2 left" in html
    assert 'href="?variant=84029E"' in html
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json_ld is not None
    data = json.loads(json_ld.group(1))
    assert data["name"] == "Knitted Union Flag Hot Water Bottle"
    assert [o["price"] for o in data["offers"]] == ["3.39", "4.25"]  # strings, never floats
    assert data["offers"][1]["availability"] == "https://schema.org/OutOfStock"
    assert data["category"] == "Lights > Lanterns"
    large = client.get(product.get_absolute_url(), {"variant": "84029E"}).content.decode()
    assert "£4.25" in large and "Out of stock" in large


def test_an_inactive_product_is_not_found(client):
    product = product_with(is_active=False)
    assert client.get(product.get_absolute_url()).status_code == 404


def test_the_indonesian_interface_formats_prices_for_indonesia(client):
    product = product_with(title="Lantern")
    html = client.get("/id" + product.get_absolute_url()).content.decode()
    assert '<html lang="id">' in html
    assert "£9,99" in html


@pytest.mark.parametrize("size", [3, 30])
def test_a_category_page_runs_the_same_queries_whatever_the_page_size(
    client, django_assert_num_queries, lights, size, settings
):
    settings.CATALOG_PAGE_SIZE = size
    for _ in range(size):
        product_with(category=lights[1], variants=2, images=2)
    with django_assert_num_queries(6):
        assert client.get(lights[0].get_absolute_url()).status_code == 200


@pytest.mark.parametrize(("variants", "images"), [(1, 1), (6, 8)])
def test_a_product_page_runs_the_same_queries_whatever_its_variants_and_images(
    client, django_assert_num_queries, lights, variants, images
):
    product = product_with(category=lights[1], variants=variants, images=images)
    # 7: the page's six, and the current recommendations run, read once into the cache.
    with django_assert_num_queries(7):
        assert client.get(product.get_absolute_url()).status_code == 200


def test_a_cached_page_is_served_without_any_sql(client, lights):
    product = product_with(category=lights[1], images=1)
    for url in ["/", lights[0].get_absolute_url(), product.get_absolute_url()]:
        assert client.get(url)["X-Page-Cache"] == "miss"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response["X-Page-Cache"] == "hit"
        assert len(queries) == 0, url


# Pages go stale when the change commits; django_capture_on_commit_callbacks runs those hooks
# inside the test's transaction.


def test_a_price_change_shows_at_once_on_every_cached_page(client, lights, django_capture_on_commit_callbacks):
    product = product_with(category=lights[1])
    urls = ["/", lights[0].get_absolute_url(), product.get_absolute_url()]
    for url in urls:
        assert "£9.99" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.variant_prices_change_by_percent(product_ids=[product.pk], percent=Decimal("10"))
    for url in urls:
        html = client.get(url).content.decode()
        assert "£10.99" in html and "£9.99" not in html, url


def test_selling_out_shows_at_once_on_the_product_and_its_listing(client, lights, django_capture_on_commit_callbacks):
    product = product_with(category=lights[1])
    variant = product.variants.get()
    client.get(product.get_absolute_url())
    client.get(lights[0].get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.stock_set(variant=variant, quantity=0, reason="count")
    assert "Out of stock" in client.get(product.get_absolute_url()).content.decode()
    assert "Out of stock" in client.get(lights[0].get_absolute_url()).content.decode()


def test_a_stock_change_nobody_sees_leaves_pages_cached_and_one_into_low_stock_shows_how_many_are_left(
    client, lights, django_capture_on_commit_callbacks
):
    product = product_with(category=lights[1])  # 10 in stock; "Only N left" from 5 (CATALOG_LOW_STOCK)
    variant = product.variants.get()
    client.get(lights[0].get_absolute_url())
    client.get(product.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.stock_adjust(variant=variant, delta=-1, reason="damaged")
    assert client.get(lights[0].get_absolute_url())["X-Page-Cache"] == "hit"
    assert client.get(product.get_absolute_url())["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.stock_adjust(variant=variant, delta=-5, reason="damaged")
    page = client.get(product.get_absolute_url())
    assert page["X-Page-Cache"] == "miss" and "Only 4 left" in page.content.decode()
    assert 'max="4"' in page.content.decode()
    assert client.get(lights[0].get_absolute_url())["X-Page-Cache"] == "hit"  # still in stock


def test_a_browser_or_cdn_revalidates_with_the_etag_and_gets_304(client, lights, django_capture_on_commit_callbacks):
    product = product_with(category=lights[1])
    first = client.get(product.get_absolute_url())
    assert first["Cache-Control"] == "no-cache"
    again = client.get(product.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        services.stock_set(variant=product.variants.get(), quantity=2, reason="count")
    changed = client.get(product.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Only 2 left" in changed.content.decode()


def test_sitemap_lists_active_products_and_categories_and_robots_points_to_it(client, lights):
    product_with(slug="shown", category=lights[1])
    product_with(slug="hidden", is_active=False)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/p/shown/" in sitemap and "/id/p/shown/" in sitemap and "/c/lanterns/" in sitemap
    assert "hidden" not in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots


def test_browsers_that_accept_gzip_get_the_page_compressed_and_others_get_it_plain(client, lights):
    product = product_with(title="Red Retrospot Jumbo Bag", category=lights[1])
    plain = client.get(product.get_absolute_url())
    assert "Content-Encoding" not in plain and "Red Retrospot Jumbo Bag" in plain.content.decode()
    compressed = client.get(product.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in compressed["Vary"]
    revalidated = client.get(
        product.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"]
    )
    assert revalidated.status_code == 304
