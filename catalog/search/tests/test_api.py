import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.search.backends.database import DatabaseSearchBackend
from catalog.search.models import SearchQuery
from catalog.search.tests.conftest import product
from catalog.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lanterns():
    lights = CategoryFactory(name="Lights", slug="lights")
    made = [
        product("White Metal Lantern", category=lights, price="4.25", popularity=5, attributes={"colour": "white"}),
        product("Hanging Heart Lantern", category=lights, price="12", stock=0, popularity=3),
        product("Spaceboy Mug", price="1.25"),
    ]
    DatabaseSearchBackend().index_products([p.pk for p in made])
    return made


def test_the_search_api_answers_with_results_facets_and_money_as_strings(client, lanterns):
    response = client.get("/api/v1/search/", {"q": "lanterns", "sort": "price"})
    data = response.json()
    assert response.status_code == 200
    assert (data["query"], data["total"], data["page"], data["pages"], data["corrected"]) == ("lanterns", 2, 1, 1, None)
    first = data["results"][0]
    assert first["title"] == "White Metal Lantern"
    assert first["highlight"] == "White Metal <mark>Lantern</mark>"
    assert first["price"] == {"amount": "4.25", "currency": "GBP"}
    assert data["results"][1]["price"] == {"amount": "12.00", "currency": "GBP"}
    assert first["url"] == "http://testserver/p/" + lanterns[0].slug + "/"
    assert data["facets"]["categories"] == [
        {"slug": "lights", "name": "Lights", "url": "http://testserver/c/lights/", "count": 2}
    ]
    assert data["facets"]["in_stock"] == 1
    assert data["facets"]["attributes"] == {"colour": [{"value": "white", "count": 1}]}
    assert {
        "min": {"amount": "10.00", "currency": "GBP"},
        "max": {"amount": "20.00", "currency": "GBP"},
        "count": 1,
    } in data["facets"]["prices"]
    assert SearchQuery.objects.get().results == 2


def test_the_search_api_corrects_misspellings_and_suggests_popular_products_when_nothing_matches(client, lanterns):
    assert client.get("/api/v1/search/", {"q": "lantren"}).json()["corrected"] == "lantern"
    data = client.get("/api/v1/search/", {"q": "zebra"}).json()
    assert data["total"] == 0 and data["popular"][0]["title"] == "White Metal Lantern"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"price_min": "9", "price_max": "2"}, "__all__", "The minimum price is above the maximum price."),
        ({"price_min": "cheap"}, "price_min", "Enter a number."),
        ({"sort": "random"}, "sort", "Select a valid choice. random is not one of the available choices."),
        ({"page": "401"}, "page", "Ensure this value is less than or equal to 400."),
    ],
)
def test_bad_api_parameters_are_a_400_with_a_message(client, lanterns, params, field, message):
    response = client.get("/api/v1/search/", {"q": "lantern", **params})
    assert response.status_code == 400
    fields = {} if field == "__all__" else {field: [message]}
    assert response.json() == {"code": "invalid", "message": message, "fields": fields}


def test_an_unknown_category_is_a_400_and_a_page_past_the_end_a_404(client, lanterns):
    response = client.get("/api/v1/search/", {"q": "lantern", "category": "nope"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "There is no category “nope”.", "fields": {}}
    past_the_end = client.get("/api/v1/search/", {"q": "lantern", "page": "9"})
    assert past_the_end.status_code == 404
    assert past_the_end.json() == {"code": "not_found", "message": "There is no such page of results.", "fields": {}}


def test_the_suggest_api_gives_products_and_categories_for_a_prefix(client, lanterns):
    data = client.get("/api/v1/search/suggest/", {"q": "lant"}).json()
    assert [p["title"] for p in data["products"]] == ["White Metal Lantern", "Hanging Heart Lantern"]
    assert data["products"][0]["highlight"] == "White Metal <mark>Lantern</mark>"
    assert client.get("/api/v1/search/suggest/", {"q": "ligh"}).json()["categories"][0]["slug"] == "lights"
    assert client.get("/api/v1/search/suggest/", {"q": "x" * 201}).status_code == 400


def test_the_search_api_runs_the_same_number_of_queries_for_few_or_many_results(client, lanterns):
    client.get("/api/v1/search/", {"q": "warm"})

    def queries_for(q: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/search/", {"q": q}).status_code == 200
        return len(captured)

    few = queries_for("mug")
    more = [product(f"Glass Lamp {n}") for n in range(10)]
    DatabaseSearchBackend().index_products([p.pk for p in more])
    assert queries_for("lamp") == few
