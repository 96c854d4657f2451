"""How well search finds what shoppers mean, on the demo catalogue: precision at 5 and mean
reciprocal rank over real queries (misspellings, plurals, several words, Indonesian words).

A product is relevant to a query when every pattern of the query matches its title and category
("title | category"); the judgement is a rule a shopper would agree with, not a list of ids, so it
holds when the demo data changes. Precision at 5 counts the relevant products among the first five
results, out of five (or out of all the relevant ones, where the catalogue has fewer). Reciprocal
rank is 1 / the rank of the first relevant result within the first ten (0 if none).

catalog/search/tests/test_relevance.py runs this set on every backend and fails below the levels
in bench/README.md. To print the figures:

    .venv/bin/python bench/search_relevance.py                     # database backend, SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/search_relevance.py
    SEARCH_BACKEND=catalog.search.backends.opensearch.OpenSearchSearchBackend OPENSEARCH_URL=... \
        .venv/bin/python bench/search_relevance.py

(on a database with the demo catalogue and `manage.py search_reindex` run).
"""

import os
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# (query, patterns that a relevant product's "title | category" must all match), case-insensitive.
QUERIES: list[tuple[str, tuple[str, ...]]] = [
    # plain words, singular and plural
    ("lantern", (r"lantern",)),
    ("lanterns", (r"lantern",)),
    ("candle", (r"candle",)),
    ("candles", (r"candle",)),
    ("mug", (r"\bmug",)),
    ("mugs", (r"\bmug",)),
    ("necklace", (r"necklace",)),
    ("earrings", (r"earring",)),
    ("bracelets", (r"bracelet",)),
    ("umbrella", (r"umbrella",)),
    ("notebook", (r"notebook",)),
    ("doormat", (r"door ?mat",)),
    ("apron", (r"apron",)),
    ("mirror", (r"mirror",)),
    ("butterfly", (r"butterfl",)),
    # misspellings
    ("lantren", (r"lantern",)),
    ("latnern", (r"lantern",)),
    ("candel", (r"candle",)),
    ("umbrela", (r"umbrella",)),
    ("neckalce", (r"necklace",)),
    ("cusion cover", (r"cushion",)),
    ("clok", (r"clock",)),
    ("brcelet", (r"bracelet",)),
    # several words
    ("hot water bottle", (r"hot water bottle|hottie",)),
    ("cake cases", (r"cake case",)),
    ("cake stand", (r"cake stand",)),
    ("lunch bag", (r"lunch bag",)),
    ("jumbo bag", (r"jumbo",)),
    ("tea towel", (r"tea towel",)),
    ("alarm clock", (r"alarm clock",)),
    ("wall clock", (r"clock",)),
    ("photo frame", (r"frame",)),
    ("cushion cover", (r"cushion cover",)),
    ("heart t-light holder", (r"heart", r"t-light|tealight")),
    ("childrens apron", (r"children", r"apron")),
    ("birthday card", (r"birthday", r"card")),
    ("playing cards", (r"playing card",)),
    ("christmas decoration", (r"christmas", r"decoration")),
    ("red retrospot bag", (r"red retrospot", r"\bbag")),
    # shorthand and synonyms
    ("xmas decorations", (r"christmas", r"decoration")),
    ("hottie", (r"hot water bottle|hottie",)),
    ("tealight holder", (r"t-light|tealight",)),
    # Indonesian words for common items (the shop's second language)
    ("lampu", (r"lamp|light",)),
    ("lilin", (r"candle",)),
    ("tas", (r"\bbag",)),
    ("cangkir", (r"\bmug",)),
    ("payung", (r"umbrella",)),
    ("kalung", (r"necklace",)),
    ("celemek", (r"apron",)),
    ("jam dinding", (r"clock",)),
    ("hiasan natal", (r"christmas", r"decoration")),
]


@dataclass(frozen=True)
class Figures:
    queries: int
    precision_at_5: float
    mrr: float
    worst: list[tuple[str, float, float]]  # (query, precision at 5, reciprocal rank), lowest first


def relevant(text: str, patterns: tuple[str, ...]) -> bool:
    return all(re.search(p, text, re.IGNORECASE) for p in patterns)


def evaluate(
    search: Callable[[str], list[int]], texts: dict[int, str], queries: list[tuple[str, tuple[str, ...]]] = QUERIES
) -> Figures:
    """`search(query)` gives product ids, best first; `texts` is each product's "title | category"."""
    precisions, ranks, rows = [], [], []
    for query, patterns in queries:
        ids = search(query)[:10]
        judged = [relevant(texts.get(pk, ""), patterns) for pk in ids]
        available = sum(1 for text in texts.values() if relevant(text, patterns))
        precision = sum(judged[:5]) / min(5, available) if available else 0.0
        rank = next((1 / (n + 1) for n, hit in enumerate(judged) if hit), 0.0)
        precisions.append(min(precision, 1.0))
        ranks.append(rank)
        rows.append((query, min(precision, 1.0), rank))
    rows.sort(key=lambda row: (row[1], row[2]))
    return Figures(len(queries), statistics.fmean(precisions), statistics.fmean(ranks), rows[:5])


def catalogue_texts() -> dict[int, str]:
    from catalog.models import Product

    return {
        p.pk: f"{p.title} | {p.category.name}"
        for p in Product.objects.filter(is_active=True).select_related("category")
    }


def search_ids(query: str) -> list[int]:
    """The first ten results as the shop's search page gets them."""
    from catalog.search.selectors import search_page

    return [p.pk for p in search_page(q=query, per_page=10).page.object_list]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django

    django.setup()
    from catalog.search.backends import search_backend

    figures = evaluate(search_ids, catalogue_texts())
    print(f"backend: {search_backend().name}, {figures.queries} queries")
    print(f"precision@5: {figures.precision_at_5:.3f}  MRR: {figures.mrr:.3f}")
    for query, precision, rank in figures.worst:
        print(f"  weakest: {query!r}: precision@5 {precision:.2f}, reciprocal rank {rank:.2f}")


if __name__ == "__main__":
    main()
