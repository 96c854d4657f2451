"""One contract, every backend: the database backend (on SQLite, and on PostgreSQL when the suite
runs there) and the OpenSearch backend (against the osmem emulator; see conftest)."""

from decimal import Decimal

import pytest

from catalog.search import analysis
from catalog.search.backends.base import PriceRange, SearchRequest
from catalog.search.services import synonyms_get
from catalog.search.tests.conftest import product
from catalog.tests.factories import CategoryFactory


def request_for(text: str, **fields) -> SearchRequest:
    return SearchRequest(query=analysis.query_parse(text, synonyms=synonyms_get()), **fields)


def ids(result) -> list[int]:
    return [h.product_id for h in result.hits]


def test_a_word_of_the_title_finds_the_product_and_comes_back_highlighted(backend):
    lantern = product("White Metal Lantern")
    product("Red Retrospot Mug")
    backend.index_products([lantern.pk])
    result = backend.search(request_for("lantern"))
    assert ids(result) == [lantern.pk]
    assert result.total == 1
    assert result.hits[0].highlight == "White Metal <mark>Lantern</mark>"


def test_plurals_and_singulars_find_each_other(backend):
    lanterns = product("Chinese Dragon Paper Lanterns")
    mug = product("Spaceboy Mug")
    backend.index_products([lanterns.pk, mug.pk])
    assert ids(backend.search(request_for("lantern"))) == [lanterns.pk]
    assert ids(backend.search(request_for("mugs"))) == [mug.pk]


def test_a_misspelt_word_still_finds_the_product_and_says_what_it_meant(backend):
    lantern = product("White Metal Lantern")
    backend.index_products([lantern.pk])
    result = backend.search(request_for("lantren"))
    assert ids(result) == [lantern.pk]
    assert result.corrected == "lantern"


def test_a_correctly_spelt_query_is_not_corrected(backend):
    lantern = product("White Metal Lantern")
    backend.index_products([lantern.pk])
    assert backend.search(request_for("metal lantern")).corrected is None


def test_staff_synonyms_and_indonesian_words_find_what_shoppers_mean(backend, synonyms):
    mug = product("Christmas Mug Reindeer")
    lamp = product("Retrospot Lamp")
    bottle = product("Chocolate Hot Water Bottle")
    backend.index_products([mug.pk, lamp.pk, bottle.pk])
    assert ids(backend.search(request_for("xmas mug"))) == [mug.pk]
    assert ids(backend.search(request_for("lampu"))) == [lamp.pk]
    assert ids(backend.search(request_for("hottie"))) == [bottle.pk]


def test_a_match_in_the_title_ranks_above_one_in_the_category_or_description(backend):
    in_description = product("Glass Jar", description="<p>Looks lovely with a candle inside.</p>")
    in_category = product("Wick Trimmer", category=CategoryFactory(name="Candles"))
    in_title = product("Vanilla Candle")
    backend.index_products([in_description.pk, in_category.pk, in_title.pk])
    assert ids(backend.search(request_for("candle"))) == [in_title.pk, in_category.pk, in_description.pk]


def test_every_word_must_match_unless_any_is_asked_for(backend):
    red_bag = product("Red Retrospot Bag")
    red_mug = product("Red Retrospot Mug")
    blue_bag = product("Blue Polkadot Bag")
    backend.index_products([red_bag.pk, red_mug.pk, blue_bag.pk])
    assert ids(backend.search(request_for("red bag"))) == [red_bag.pk]
    assert set(ids(backend.search(request_for("red bag", match="any")))) == {red_bag.pk, red_mug.pk, blue_bag.pk}
    assert backend.search(request_for("red zebra")).total == 0


def test_filters_narrow_by_category_subtree_price_stock_and_attributes(backend):
    lights = CategoryFactory(name="Lights")
    lanterns = CategoryFactory(name="Lanterns", parent=lights)
    cheap = product("Tin Lantern", category=lanterns, price="1.50", attributes={"colour": "silver"})
    dear = product("Glass Lantern", category=lights, price="12.00", attributes={"colour": ["red", "gold"]})
    gone = product("Paper Lantern", category=lanterns, price="3.00", stock=0, attributes={"colour": "red"})
    elsewhere = product("Lantern Mug", price="4.00")
    backend.index_products([cheap.pk, dear.pk, gone.pk, elsewhere.pk])
    # Categories are kept sorted by name: adding one may have moved the others' paths.
    lights.refresh_from_db()
    lanterns.refresh_from_db()

    def found(**filters) -> set[int]:
        return set(ids(backend.search(request_for("lantern", **filters))))

    assert found(category_path=lights.path) == {cheap.pk, dear.pk, gone.pk}
    assert found(category_path=lanterns.path) == {cheap.pk, gone.pk}
    assert found(price_min=Decimal("1.50"), price_max=Decimal("3.00")) == {cheap.pk, gone.pk}
    assert found(in_stock=True) == {cheap.pk, dear.pk, elsewhere.pk}
    assert found(attributes={"colour": ("red",)}) == {dear.pk, gone.pk}
    assert found(attributes={"colour": ("red", "silver")}, in_stock=True) == {cheap.pk, dear.pk}


def test_facets_count_every_match_by_category_price_stock_and_attribute(backend):
    lanterns = CategoryFactory(name="Lanterns")
    mugs = CategoryFactory(name="Mugs")
    made = [
        product("Tin Lantern", category=lanterns, price="1.50", attributes={"colour": "red"}),
        product("Glass Lantern", category=lanterns, price="12.00", attributes={"colour": "red"}),
        product("Lantern Mug", category=mugs, price="4.00", stock=0, attributes={"colour": "blue"}),
        product("Plain Mug", category=mugs, price="4.00"),
    ]
    backend.index_products([p.pk for p in made])
    ranges = [PriceRange(None, Decimal("2")), PriceRange(Decimal("2"), Decimal("10")), PriceRange(Decimal("10"), None)]
    result = backend.search(request_for("lantern", price_ranges=ranges, limit=1))
    assert result.total == 3 and len(result.hits) == 1
    assert {(f.value, f.count) for f in result.facets.categories} == {(str(lanterns.pk), 2), (str(mugs.pk), 1)}
    assert [f.count for f in result.facets.prices] == [1, 1, 1]
    assert result.facets.in_stock == 2
    assert [(f.value, f.count) for f in result.facets.attributes["colour"]] == [("red", 2), ("blue", 1)]


@pytest.mark.parametrize(("sort", "order"), [("price", [1, 0, 2]), ("-price", [2, 0, 1]), ("bestselling", [2, 1, 0])])
def test_results_sort_by_price_or_popularity(backend, sort, order):
    made = [
        product("Lantern One", price="5.00", popularity=1),
        product("Lantern Two", price="2.00", popularity=5),
        product("Lantern Three", price="9.00", popularity=9),
    ]
    backend.index_products([p.pk for p in made])
    assert ids(backend.search(request_for("lantern", sort=sort))) == [made[n].pk for n in order]


def test_pages_are_slices_of_the_same_ranking(backend):
    made = [product(f"Lantern {n}", popularity=n) for n in range(7)]
    backend.index_products([p.pk for p in made])
    first = backend.search(request_for("lantern", sort="bestselling", limit=3))
    third = backend.search(request_for("lantern", sort="bestselling", offset=6, limit=3))
    assert first.total == third.total == 7
    assert ids(first) == [made[6].pk, made[5].pk, made[4].pk]
    assert ids(third) == [made[0].pk]


def test_an_empty_query_lists_everything_that_matches_the_filters(backend):
    lanterns = CategoryFactory(name="Lanterns")
    lantern = product("Tin Lantern", category=lanterns)
    product("Mug")
    backend.index_products([p.pk for p in [lantern]])
    lanterns.refresh_from_db()  # kept sorted by name: the new category may have moved it
    assert ids(backend.search(request_for("", category_path=lanterns.path))) == [lantern.pk]


def test_deactivated_and_removed_products_drop_out_of_the_index(backend):
    lantern = product("Tin Lantern")
    other = product("Glass Lantern")
    backend.index_products([lantern.pk, other.pk])
    lantern.is_active = False
    lantern.save()
    backend.index_products([lantern.pk])
    assert ids(backend.search(request_for("lantern"))) == [other.pk]
    backend.remove_products([other.pk])
    assert backend.search(request_for("lantern")).total == 0


def test_reindexing_a_changed_product_updates_its_price_and_stock(backend):
    lantern = product("Tin Lantern", price="1.50")
    backend.index_products([lantern.pk])
    variant = lantern.variants.get()
    variant.price, variant.stock = Decimal("8.00"), 0
    variant.save()
    backend.index_products([lantern.pk])
    assert backend.search(request_for("lantern", price_min=Decimal("5"))).total == 1
    assert backend.search(request_for("lantern", in_stock=True)).total == 0


def test_a_full_rebuild_indexes_every_product_and_keeps_search_answering(backend):
    made = [product(f"Lantern {n}") for n in range(3)]
    product("Retired Lantern", is_active=False)
    backend.index_products([made[0].pk])
    assert backend.rebuild() == 3
    assert backend.search(request_for("lantern")).total == 3
    assert backend.rebuild() == 3  # again: the new index replaces the old one
    assert backend.search(request_for("lantern")).total == 3


def test_suggestions_complete_the_word_being_typed(backend):
    lantern = product("White Metal Lantern", popularity=5)
    lamp = product("Retrospot Lamp", popularity=9)
    mug = product("Spaceboy Mug")
    backend.index_products([lantern.pk, lamp.pk, mug.pk])
    hits = backend.suggest(analysis.query_parse("lant", synonyms={}, prefix=True), limit=5)
    assert [h.product_id for h in hits] == [lantern.pk]
    assert "<mark>Lantern</mark>" in hits[0].highlight
    hits = backend.suggest(analysis.query_parse("metal lan", synonyms={}, prefix=True), limit=5)
    assert [h.product_id for h in hits] == [lantern.pk]


def test_suggestions_forgive_a_typo_in_the_word_being_typed(backend):
    lantern = product("White Metal Lantern")
    backend.index_products([lantern.pk])
    hits = backend.suggest(analysis.query_parse("lanturn", synonyms={}, prefix=True), limit=5)
    assert [h.product_id for h in hits] == [lantern.pk]
