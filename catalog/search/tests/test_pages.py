import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from catalog.search.backends.database import DatabaseSearchBackend
from catalog.search.models import RecentSearch, SearchClick, SearchQuery
from catalog.search.services import RECENT_SESSION_KEY
from catalog.search.tests.conftest import product
from catalog.tests.factories import CategoryFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    body = response.content
    return (gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body).decode()


@pytest.fixture
def lanterns():
    lights = CategoryFactory(name="Lights", slug="lights")
    made = [
        product("White Metal Lantern", category=lights, price="4.25", popularity=5),
        product("Hanging Heart Lantern", category=lights, price="12.00", stock=0, popularity=3),
        product("Spaceboy Mug", price="1.25"),
    ]
    DatabaseSearchBackend().index_products([p.pk for p in made])
    return made


def test_the_results_page_shows_highlighted_matches_with_facets_and_a_count(client, lanterns):
    response = client.get("/search/", {"q": "lanterns"})
    page = html(response)
    assert response.status_code == 200
    assert "2 products" in page
    assert "White Metal <mark>Lantern</mark>" in page
    assert "Spaceboy Mug" not in page
    assert re.search(r'href="/search/\?q=lanterns&amp;category=lights">Lights</a> <span class="facet-count">2', page)
    assert 'In stock only</a> <span class="facet-count">1' in page
    assert 'name="robots" content="noindex, follow"' in page


def test_results_filter_and_sort_from_the_query_string(client, lanterns):
    page = html(client.get("/search/", {"q": "lantern", "in_stock": "on"}))
    assert "White Metal" in page and "Hanging Heart" not in page
    page = html(client.get("/search/", {"q": "lantern", "sort": "-price"}))
    assert page.index("Hanging Heart") < page.index("White Metal")


def test_a_misspelling_offers_did_you_mean_and_still_finds_the_products(client, lanterns):
    page = html(client.get("/search/", {"q": "lantren"}))
    assert 'Did you mean <a href="/search/?q=lantern">lantern</a>?' in page
    assert "White Metal <mark>Lantern</mark>" in page


def test_nothing_found_shows_popular_products_instead(client, lanterns):
    page = html(client.get("/search/", {"q": "zebra"}))
    assert "Nothing matches “zebra”" in page
    assert "Popular right now" in page and "White Metal Lantern" in page


def test_when_no_product_has_every_word_those_with_some_are_shown(client, lanterns):
    page = html(client.get("/search/", {"q": "lantern zebra"}))
    assert "No product has all of these words" in page
    assert "White Metal <mark>Lantern</mark>" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "lantern", "price_min": "9", "price_max": "2"}, "The minimum price is above the maximum price."),
        ({"q": "lantern", "price_min": "cheap"}, "Enter a number."),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"q": "lantern", "page": "0"}, "greater than or equal to 1"),
        ({"q": "lantern", "attr": "colour"}, "An attribute filter looks like name:value"),
        ({"q": "lantern", "category": "no-such-category"}, "There is no category “no-such-category”."),
    ],
)
def test_bad_search_parameters_get_a_400_that_says_what_is_wrong(client, lanterns, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert message in html(response)


def test_a_page_past_the_last_is_a_404(client, lanterns):
    assert client.get("/search/", {"q": "lantern", "page": "5"}).status_code == 404


def test_the_results_page_runs_the_same_number_of_queries_for_few_or_many_results(client, lanterns):
    def queries_for(q: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": q}).status_code == 200
        return len(captured)

    client.get("/search/", {"q": "warm"})  # the session and the cached synonyms now exist
    few = queries_for("mug")
    lights = CategoryFactory(name="Lamps", slug="lamps")
    more = [product(f"Glass Lamp {n}", category=lights) for n in range(12)]
    for made in more:
        ProductImageFactory(product=made)
    DatabaseSearchBackend().index_products([p.pk for p in more])
    assert queries_for("lamp") == few


def test_a_cached_results_page_is_still_recorded_in_the_search_log(client, lanterns):
    first = client.get("/search/", {"q": "Lanterns"})
    second = client.get("/search/", {"q": "Lanterns"})
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    logged = list(SearchQuery.objects.values_list("query", "normalised", "results", "backend"))
    assert logged == [("Lanterns", "lanterns", 2, "database")] * 2


def test_a_guests_recent_searches_are_in_their_session_and_they_can_clear_them(client, lanterns):
    client.get("/search/", {"q": "lantern"})
    client.get("/search/", {"q": "mug"})
    client.get("/search/", {"q": "Lantern"})
    assert client.session[RECENT_SESSION_KEY] == ["Lantern", "mug"]
    page = html(client.get("/search/suggest/", {"q": ""}))
    assert "Your recent searches" in page and ">mug</a>" in page
    other = client.__class__()
    assert "Your recent searches" not in html(other.get("/search/suggest/", {"q": ""}))
    response = client.post("/search/recent/clear/", {"next": "/search/"})
    assert response.status_code == 302 and response["Location"] == "/search/"
    assert RECENT_SESSION_KEY not in client.session


def test_a_customers_recent_searches_are_theirs_alone_and_clearable(client, lanterns):
    alice = User.objects.create_user(email="alice@example.com", password="a-long-password-1")
    bob = User.objects.create_user(email="bob@example.com", password="a-long-password-2")
    client.force_login(alice)
    client.get("/search/", {"q": "lantern"})
    assert list(RecentSearch.objects.values_list("user__email", "query")) == [("alice@example.com", "lantern")]
    assert ">lantern</a>" in html(client.get("/search/"))
    client.force_login(bob)
    assert "Your recent searches" not in html(client.get("/search/"))
    client.force_login(alice)
    client.post("/search/recent/clear/")
    assert not RecentSearch.objects.filter(user=alice).exists()


def test_the_clear_button_never_redirects_off_the_site(client):
    response = client.post("/search/recent/clear/", {"next": "https://evil.example.com/"})
    assert response["Location"] == "/search/"


def test_a_click_on_a_result_is_recorded_against_the_search_and_goes_to_the_product(client, lanterns):
    client.get("/search/", {"q": "lantern"})
    page = html(client.get("/search/", {"q": "lantern"}))
    link = re.search(r'href="(/search/click/\?[^"]+)"', page)
    assert link is not None
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"] == lanterns[0].get_absolute_url()
    click = SearchClick.objects.get()
    assert (click.normalised, click.product_id, click.position) == ("lantern", lanterns[0].pk, 1)
    assert click.search == SearchQuery.objects.order_by("-pk").first()


def test_a_click_link_for_an_unknown_product_is_a_404_and_junk_is_a_400(client, lanterns):
    assert client.get("/search/click/", {"q": "x", "product": "99999", "position": "1"}).status_code == 404
    assert client.get("/search/click/", {"q": "x", "product": "one"}).status_code == 400


def test_the_search_box_suggests_products_and_categories_as_the_shopper_types(client, lanterns):
    page = html(client.get("/search/suggest/", {"q": "ligh"}))
    assert 'href="/c/lights/">Lights</a>' in page
    page = html(client.get("/search/suggest/", {"q": "white lan"}))
    assert "<mark>White</mark> Metal <mark>Lantern</mark>" in page
    assert "£4.25" in page
    assert 'href="/search/?q=white%20lan"' in page


def test_every_shop_page_has_the_search_box_and_it_works_without_javascript(client, lanterns):
    page = html(client.get("/"))
    assert re.search(r'<form class="site-search-form" role="search" method="get" action="/search/"', page)
    assert 'name="q"' in page


def test_a_guests_first_search_is_logged_with_the_session_it_started(client, lanterns):
    page = html(client.get("/search/", {"q": "lantern"}))
    logged = SearchQuery.objects.get()
    assert logged.session_key and logged.session_key == client.session.session_key
    link = re.search(r'href="(/search/click/\?[^"]+)"', page)
    assert link is not None
    client.get(link.group(1).replace("&amp;", "&"))
    assert SearchClick.objects.get().search == logged
