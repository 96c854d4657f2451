"""Search in OpenSearch (or Elasticsearch-compatible services such as Amazon OpenSearch Service).

Products live in an index behind an alias (`index` option, default "pasar-products"); a full
reindex builds a new index, fills it with bulk requests, catches up with changes made meanwhile and
swaps the alias in one atomic request, so search never sees a half-built index. The mapping is
explicit: English and Indonesian analysers on the text, keyword fields for the facets, prices in
hundredths (whole numbers: no floating point near money), and a completion field for the search box.
Matching is fuzzy (OpenSearch's AUTO edit distance), facets are aggregations, titles come back
highlighted, and misspelt words are corrected by the term suggester ("did you mean").

Staff's synonyms are expanded before the query is sent (catalog.search.analysis), as for the
database backend, so an edit applies at once, without reindexing.

Any connection failure, timeout or server error becomes SearchUnavailable, on which search falls
back to the database backend (catalog.search.services).
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError

from catalog.search import analysis
from catalog.search.analysis import Alternative, ParsedQuery
from catalog.search.backends.base import (
    FacetCount,
    Facets,
    PriceFacet,
    SearchBackend,
    SearchHit,
    SearchRequest,
    SearchResult,
    SuggestHit,
)
from catalog.search.documents import ProductDocument, all_product_ids, documents_for
from catalog.search.exceptions import SearchUnavailable
from catalog.search.models import SearchDocument

logger = logging.getLogger(__name__)

BATCH = 500
TEXT_FIELDS = ["title^3", "title.id^2", "category^2", "category.id", "description", "description.id"]
SORTS: dict[str, list[Any]] = {
    "relevance": ["_score", {"popularity": "desc"}, {"product_id": "asc"}],
    "bestselling": [{"popularity": "desc"}, {"product_id": "asc"}],
    "newest": [{"created_at": "desc"}, {"product_id": "desc"}],
    "price": [{"price_hundredths": "asc"}, {"product_id": "asc"}],
    "-price": [{"price_hundredths": "desc"}, {"product_id": "asc"}],
}


def hundredths(amount: Decimal) -> int:
    """Prices are stored with two decimal places; in the index they are whole hundredths."""
    return int((amount * 100).to_integral_value())


def index_definition(*, indonesian_stemmer: bool = True, replicas: int = 1) -> dict[str, Any]:
    """Settings and mappings of a products index."""
    indonesian_filters = ["lowercase", "asciifolding", "indonesian_stop"]
    if indonesian_stemmer:
        indonesian_filters.append("indonesian_stemmer")

    def text(**extra: Any) -> dict[str, Any]:
        return {
            "type": "text",
            "analyzer": "pasar_english",
            "fields": {"id": {"type": "text", "analyzer": "pasar_indonesian"}},
            **extra,
        }

    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": replicas,
            "analysis": {
                # "Child's" is "childs", as analysis.fold reads it.
                "char_filter": {"apostrophes": {"type": "pattern_replace", "pattern": "['’‘`]", "replacement": ""}},
                "filter": {
                    "english_stop": {"type": "stop", "stopwords": "_english_"},
                    "english_stemmer": {"type": "stemmer", "language": "english"},
                    "indonesian_stop": {"type": "stop", "stopwords": "_indonesian_"},
                    "indonesian_stemmer": {"type": "stemmer", "language": "indonesian"},
                },
                "analyzer": {
                    "pasar_english": {
                        "type": "custom",
                        "char_filter": ["apostrophes"],
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding", "english_stop", "english_stemmer"],
                    },
                    "pasar_indonesian": {
                        "type": "custom",
                        "char_filter": ["apostrophes"],
                        "tokenizer": "standard",
                        "filter": indonesian_filters,
                    },
                    "pasar_plain": {
                        "type": "custom",
                        "char_filter": ["apostrophes"],
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding"],
                    },
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "product_id": {"type": "long"},
                "title": text(copy_to=["spelling"]),
                "category": text(copy_to=["spelling"]),
                "description": text(),
                # Whole words as typed, for "did you mean" (the stemmed fields would suggest stems).
                "spelling": {"type": "text", "analyzer": "pasar_plain"},
                "category_id": {"type": "keyword"},
                "category_paths": {"type": "keyword"},
                "attributes": {"type": "keyword"},
                "price_hundredths": {"type": "long"},
                "currency": {"type": "keyword"},
                "in_stock": {"type": "boolean"},
                "popularity": {"type": "integer"},
                "created_at": {"type": "date"},
                "suggest": {"type": "completion", "analyzer": "pasar_plain"},
            },
        },
    }


def document_source(document: ProductDocument) -> dict[str, Any]:
    steps = len(document.category_names)
    step = len(document.category_path) // steps if steps else 0
    title_words = document.title.split()
    return {
        "product_id": document.product_id,
        "title": document.title,
        "category": document.category_text,
        "description": document.description,
        "category_id": str(document.category_id),
        "category_paths": [document.category_path[: i * step] for i in range(1, steps + 1)],
        "attributes": [f"{name}={value}" for name, value in document.attributes],
        "price_hundredths": hundredths(document.price),
        "currency": document.currency,
        "in_stock": document.in_stock,
        "popularity": document.popularity,
        "created_at": document.created_at.isoformat(),
        # Every tail of the title, so that "lan" and "metal lan" both complete "White Metal Lantern".
        "suggest": {
            "input": [" ".join(title_words[i:]) for i in range(min(len(title_words), 6))],
            "weight": min(document.popularity, 1_000_000) + 1,
        },
    }


class OpenSearchSearchBackend(SearchBackend):
    name = "opensearch"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        url = options.get("url") or ""
        if not url:
            raise SearchUnavailable("OpenSearch has no URL (set OPENSEARCH_URL).")
        self.alias = str(options.get("index") or "pasar-products")
        self.client = OpenSearch(
            hosts=[url],
            timeout=float(options.get("timeout", 2)),
            max_retries=0,
            retry_on_timeout=False,
            verify_certs=bool(options.get("verify_certs", True)),
        )
        self._ready = False
        self.definition = index_definition(
            indonesian_stemmer=bool(options.get("indonesian_stemmer", True)),
            replicas=int(options.get("replicas", 1)),
        )

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except NotFoundError as exc:
            raise SearchUnavailable(f"OpenSearch has no index {self.alias} ({what}); run search_reindex.") from exc
        except OpenSearchConnectionError as exc:  # refused, reset or timed out
            raise SearchUnavailable(f"OpenSearch did not answer ({what}): {exc}") from exc
        except TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 0
            if status >= 500 or status == 429:
                raise SearchUnavailable(f"OpenSearch failed ({what}): {exc}") from exc
            raise

    # --- indexing ---------------------------------------------------------------------------

    def _actions(
        self, index: str, documents: Sequence[ProductDocument], gone: Sequence[int]
    ) -> Iterator[dict[str, Any]]:
        for document in documents:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": str(document.product_id),
                "_source": document_source(document),
            }
        for product_id in gone:
            yield {"_op_type": "delete", "_index": index, "_id": str(product_id)}

    def _bulk(self, index: str, documents: Sequence[ProductDocument], gone: Sequence[int]) -> None:
        _, errors = self._call(
            "bulk",
            lambda: helpers.bulk(
                self.client, self._actions(index, documents, gone), raise_on_error=False, max_retries=0
            ),
        )
        # Deleting what is not there is fine; anything else is not.
        failed = [e for e in errors if next(iter(e.values())).get("status") != 404]
        if failed:
            raise SearchUnavailable(f"OpenSearch refused {len(failed)} documents, e.g. {failed[0]}")

    def _ensure_index(self) -> None:
        """Create the first index behind the alias, so that a write never makes OpenSearch
        create one with guessed mappings."""
        if self._ready:
            return
        if not self._call("check index", lambda: self.client.indices.exists_alias(name=self.alias)):
            body = {**self.definition, "aliases": {self.alias: {}}}
            self._call("create index", lambda: self.client.indices.create(index=self._new_index_name(), body=body))
        self._ready = True

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"

    def index_products(self, product_ids: Sequence[int]) -> None:
        self._ensure_index()
        documents, gone = documents_for(product_ids)
        self._bulk(self.alias, documents, gone)

    def remove_products(self, product_ids: Sequence[int]) -> None:
        self._ensure_index()
        self._bulk(self.alias, [], product_ids)

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Build a new index, fill it, catch up, then point the alias at it and drop the old ones."""
        started = timezone.now()
        index = self._new_index_name()
        self._call("create index", lambda: self.client.indices.create(index=index, body=self.definition))
        indexed = 0
        try:
            for batch in all_product_ids(batch=BATCH):
                documents, gone = documents_for(batch)
                self._bulk(index, documents, gone)
                indexed += len(documents)
                if progress:
                    progress(len(batch))
            # Changes made while this ran went to the old index: every change also rewrites the
            # product's database search document, so those written since the start say which.
            changed = list(SearchDocument.objects.filter(indexed_at__gte=started).values_list("pk", flat=True))
            for start in range(0, len(changed), BATCH):
                documents, gone = documents_for(changed[start : start + BATCH])
                self._bulk(index, documents, gone)
            self._call("refresh", lambda: self.client.indices.refresh(index=index))
            old = self._indices_behind_alias()
            actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": self.alias}} for name in old]
            actions.append({"add": {"index": index, "alias": self.alias}})
            self._call("swap alias", lambda: self.client.indices.update_aliases(body={"actions": actions}))
            self._ready = True
        except BaseException:
            self.client.indices.delete(index=index, ignore=[404])
            raise
        for name in old:
            self._call("drop old index", lambda name=name: self.client.indices.delete(index=name, ignore=[404]))  # type: ignore[misc]
        return indexed

    def _indices_behind_alias(self) -> list[str]:
        try:
            return list(self.client.indices.get_alias(name=self.alias).keys())
        except NotFoundError:
            return []

    # --- reading ------------------------------------------------------------------------------

    @staticmethod
    def _alternative(alternative: Alternative) -> dict[str, Any]:
        if len(alternative.words) > 1:
            return {"multi_match": {"query": alternative.text, "type": "phrase", "fields": TEXT_FIELDS}}
        clause: dict[str, Any] = {"query": alternative.text, "fields": TEXT_FIELDS}
        if alternative.kind == "typed":
            clause.update(fuzziness="AUTO", prefix_length=1, max_expansions=20)
        return {"multi_match": clause}

    def _query(self, query: ParsedQuery, mode: str) -> dict[str, Any]:
        if query.is_empty:
            return {"match_all": {}}
        groups = [
            {"bool": {"should": [self._alternative(a) for a in g.alternatives], "minimum_should_match": 1}}
            for g in query.groups
        ]
        # Exact words score above fuzzy ones: the query as typed, unfuzzied, as an optional boost.
        boost = {"multi_match": {"query": query.normalised, "fields": ["title^2", "category"], "operator": "and"}}
        if mode == "all":
            return {"bool": {"must": groups, "should": [boost]}}
        return {"bool": {"should": [*groups, boost], "minimum_should_match": 1}}

    @staticmethod
    def _filters(request: SearchRequest) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        if request.category_path:
            filters.append({"term": {"category_paths": request.category_path}})
        bounds = {}
        if request.price_min is not None:
            bounds["gte"] = hundredths(request.price_min)
        if request.price_max is not None:
            bounds["lte"] = hundredths(request.price_max)
        if bounds:
            filters.append({"range": {"price_hundredths": bounds}})
        if request.in_stock:
            filters.append({"term": {"in_stock": True}})
        for name, values in request.attributes.items():
            filters.append({"terms": {"attributes": [f"{name}={v}" for v in values]}})
        return filters

    @staticmethod
    def _aggregations(request: SearchRequest) -> dict[str, Any]:
        ranges = []
        for n, price_range in enumerate(request.price_ranges):
            bucket: dict[str, Any] = {"key": str(n)}
            if price_range.low is not None:
                bucket["from"] = hundredths(price_range.low)
            if price_range.high is not None:
                bucket["to"] = hundredths(price_range.high)
            ranges.append(bucket)
        aggregations: dict[str, Any] = {
            "categories": {"terms": {"field": "category_id", "size": 100}},
            "in_stock": {"filter": {"term": {"in_stock": True}}},
            "attributes": {"terms": {"field": "attributes", "size": 200}},
        }
        if ranges:
            aggregations["prices"] = {"range": {"field": "price_hundredths", "ranges": ranges, "keyed": False}}
        return aggregations

    @staticmethod
    def _facets(request: SearchRequest, aggregations: dict[str, Any]) -> Facets:
        categories = [FacetCount(b["key"], b["doc_count"]) for b in aggregations["categories"]["buckets"]]
        attributes: dict[str, list[FacetCount]] = {}
        for bucket in aggregations["attributes"]["buckets"]:
            name, _, value = str(bucket["key"]).partition("=")
            attributes.setdefault(name, []).append(FacetCount(value, bucket["doc_count"]))
        for values in attributes.values():
            values.sort(key=lambda f: (-f.count, f.value))
        prices = []
        if "prices" in aggregations:
            counts = {b["key"]: b["doc_count"] for b in aggregations["prices"]["buckets"]}
            prices = [PriceFacet(r, counts.get(str(n), 0)) for n, r in enumerate(request.price_ranges)]
        return Facets(
            categories=categories,
            prices=prices,
            in_stock=aggregations["in_stock"]["doc_count"],
            attributes=dict(sorted(attributes.items())),
        )

    @staticmethod
    def _corrected(query: ParsedQuery, suggestions: list[dict[str, Any]]) -> str | None:
        """The query with each word the index lacks replaced by the term suggester's best option;
        words with synonyms are left alone (they are known by another name)."""
        plain = {g.typed for g in query.groups if len(g.alternatives) == 1}
        corrections = {}
        for entry in suggestions:
            if entry["text"] in plain and entry["options"] and analysis.edits_allowed(entry["text"]):
                corrections[entry["text"]] = entry["options"][0]["text"]
        if not corrections:
            return None
        return " ".join(corrections.get(w, w) for w in query.normalised.split())

    def search(self, request: SearchRequest) -> SearchResult:
        body: dict[str, Any] = {
            "query": {"bool": {"must": [self._query(request.query, request.match)], "filter": self._filters(request)}},
            "sort": SORTS["bestselling" if request.query.is_empty and request.sort == "relevance" else request.sort],
            "from": request.offset,
            "size": request.limit,
            "track_total_hits": True,
            "_source": ["title"],
        }
        if request.facets:
            body["aggs"] = self._aggregations(request)
        if not request.query.is_empty:
            body["highlight"] = {
                "pre_tags": ["<mark>"],
                "post_tags": ["</mark>"],
                "encoder": "html",
                "fields": {"title": {"number_of_fragments": 0}},
            }
            body["suggest"] = {
                "text": request.query.normalised,
                "spelling": {"term": {"field": "spelling", "suggest_mode": "missing", "size": 1}},
            }
        response = self._call("search", lambda: self.client.search(index=self.alias, body=body))
        hits = [
            SearchHit(int(h["_id"]), (h.get("highlight", {}).get("title") or [""])[0]) for h in response["hits"]["hits"]
        ]
        facets = self._facets(request, response["aggregations"]) if request.facets else Facets()
        corrected = None
        if "suggest" in response:
            corrected = self._corrected(request.query, response["suggest"]["spelling"])
        return SearchResult(
            hits=hits,
            total=int(response["hits"]["total"]["value"]),
            facets=facets,
            corrected=corrected,
            backend=self.name,
        )

    def suggest(self, query: ParsedQuery, *, limit: int) -> list[SuggestHit]:
        if query.is_empty:
            return []
        prefix = " ".join(analysis.words(query.text))
        body = {
            "_source": ["title"],
            "suggest": {
                "products": {
                    "prefix": prefix,
                    "completion": {"field": "suggest", "size": limit * 3, "fuzzy": {"fuzziness": "AUTO"}},
                }
            },
        }
        response = self._call("suggest", lambda: self.client.search(index=self.alias, body=body))
        terms = query.all_terms()
        last = query.groups[-1].alternatives[0].words[-1] if query.prefix else ""
        hits: list[SuggestHit] = []
        seen: set[int] = set()
        for option in response["suggest"]["products"][0]["options"]:
            product_id = int(option["_id"])
            if product_id in seen:
                continue
            seen.add(product_id)
            title = option["_source"]["title"]
            hits.append(SuggestHit(product_id, analysis.highlight(title, terms, [last] if last else [])))
            if len(hits) == limit:
                break
        return hits
