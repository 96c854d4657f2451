"""Search in the shop's own database: the default backend, and the fallback of the others.

Products are copied into SearchDocument rows with their words already analysed (catalog.search.
analysis), so both engines match the same terms:

- PostgreSQL: a weighted tsvector (title A, category B, description C) under a GIN index, ranked
  with ts_rank_cd (cover density: the query's words found close together count for more);
  misspellings are corrected against the catalogue's words through pg_trgm (a trigram GIN index
  on SearchTerm), which also serves the prefix look-ups of the search box.
- SQLite (local mode): an FTS5 table with the same three columns, ranked with bm25 and the same
  column weights; the catalogue's words are few enough to compare in Python with pg_trgm's measure.

Filters, facets and paging are the same ORM queries on both.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.contrib.postgres.search import SearchQuery as PgSearchQuery
from django.contrib.postgres.search import SearchRank
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.search import analysis
from catalog.search.analysis import Alternative, Group, ParsedQuery
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
from catalog.search.models import SearchAttribute, SearchDocument, SearchTerm

FTS_TABLE = "catalog_search_fts"
# Relative weights of title, category and description: ts_rank_cd's defaults for A, B and C, and
# the same for bm25 on SQLite.
COLUMN_WEIGHTS = (1.0, 0.4, 0.2)
MAX_TERM_LENGTH = 60
# Whether any product has attributes; when the cache says not, search skips the attribute facet's
# query. Missing (a cold cache) counts as yes.
ATTRIBUTES_CACHE_KEY = "search:attributes"
# How many of a query's likeliest matches PostgreSQL ranks (see _PostgresEngine.ranked).
RANKED_DEPTH = 500
# A document's analysed words: product id, then title, category and description terms.
Analysed = tuple[int, str, str, str]
# How a query's groups combine: every one, any one, or every one within the title (suggestions).
Mode = Literal["all", "any", "title"]
COMPLETIONS = 8
ORDERINGS: dict[str, tuple[str, ...]] = {
    "relevance": ("-rank", "-popularity", "pk"),
    "bestselling": ("-popularity", "pk"),
    "newest": ("-created_at", "-pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "pk"),
}


class _Engine:
    def write(self, analysed: Sequence[Analysed]) -> None:
        """Index the documents' analysed words (their rows exist already)."""
        raise NotImplementedError

    def delete(self, product_ids: Sequence[int]) -> None:
        raise NotImplementedError

    def match(self, queryset: QuerySet[SearchDocument], query: ParsedQuery, mode: Mode) -> QuerySet[SearchDocument]:
        raise NotImplementedError

    def ranked(
        self, queryset: QuerySet[SearchDocument], query: ParsedQuery, mode: Mode, *, depth: int
    ) -> QuerySet[SearchDocument]:
        """The matches with a `rank` (higher is better); at least the best `depth` are ranked."""
        raise NotImplementedError

    def candidates(self, words: Sequence[str]) -> list[tuple[str, str, int]]:
        """Catalogue words (term, stem, documents) that may be what a misspelt word meant."""
        raise NotImplementedError

    def beginning_with(self, prefix: str) -> Q:
        """Catalogue words that begin with a prefix, through an index."""
        raise NotImplementedError


class _PostgresEngine(_Engine):
    def write(self, analysed: Sequence[Analysed]) -> None:
        # One statement per batch; the words are not kept in the row, which stays small (the
        # facets' counts read every matching row).
        if not analysed:
            return
        ids, titles, categories, bodies = (list(column) for column in zip(*analysed, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_searchdocument AS d SET search_vector ="
                " setweight(to_tsvector('simple', v.title), 'A')"
                " || setweight(to_tsvector('simple', v.category), 'B')"
                " || setweight(to_tsvector('simple', v.body), 'C')"
                " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, title, category, body)"
                " WHERE d.product_id = v.id",
                [ids, titles, categories, bodies],
            )

    def delete(self, product_ids: Sequence[int]) -> None:
        """The vector lives in the document row, which is already gone."""

    @staticmethod
    def _tsquery(query: ParsedQuery, mode: Mode) -> PgSearchQuery:
        def alternative(alt: Alternative) -> str:
            # Terms are runs of letters and digits (analysis._WORD), so quoting them is enough.
            return "(" + " <-> ".join(f"'{term}'" for term in alt.terms) + ")"

        groups = ["(" + " | ".join(alternative(a) for a in g.alternatives) + ")" for g in query.groups]
        return PgSearchQuery((" | " if mode == "any" else " & ").join(groups), search_type="raw", config="simple")

    def match(self, queryset: QuerySet[SearchDocument], query: ParsedQuery, mode: Mode) -> QuerySet[SearchDocument]:
        return queryset.filter(search_vector=self._tsquery(query, mode))

    def ranked(
        self, queryset: QuerySet[SearchDocument], query: ParsedQuery, mode: Mode, *, depth: int
    ) -> QuerySet[SearchDocument]:
        """ts_rank_cd reads every ranked row's vector, which for a broad query on a large catalogue
        ("mug": 18,000 of 100,000) costs more than the rest of the search. So only the `depth`
        likeliest matches are ranked: those with the words in their title first, then the most
        popular; a broad query's first pages come from them, a narrow query's matches all fit."""
        in_title = ExpressionWrapper(Q(search_vector=self._tsquery(query, "title")), output_field=BooleanField())
        likeliest = queryset.annotate(in_title=in_title).order_by("-in_title", "-popularity", "pk").values("pk")
        # The weights are given lowest first: D, C, B, A.
        weights = [0.1, COLUMN_WEIGHTS[2], COLUMN_WEIGHTS[1], COLUMN_WEIGHTS[0]]
        rank = SearchRank(F("search_vector"), self._tsquery(query, mode), weights=weights, cover_density=True)
        return queryset.filter(pk__in=likeliest[:depth]).annotate(rank=rank)

    def candidates(self, words: Sequence[str]) -> list[tuple[str, str, int]]:
        # `%` (similar enough) is answered by the trigram index; so is the prefix LIKE. The same
        # predicate as analysis.is_candidate, which the caller applies again.
        clauses: list[str] = []
        params: list[str | int] = []
        for word in words:
            clauses.append("term %% %s OR (term LIKE %s AND length(term) BETWEEN %s AND %s)")
            params += [word, word[:1] + "%", len(word) - 2, len(word) + 2]
        sql = f"SELECT term, stem, documents FROM catalog_searchterm WHERE {' OR '.join(clauses)}"  # noqa: S608 - placeholders only
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(str(t), str(s), int(n)) for t, s, n in cursor.fetchall()]

    def beginning_with(self, prefix: str) -> Q:
        # LIKE 'pre%', which the trigram index answers whatever the database's collation.
        return Q(term__startswith=prefix)


class _SqliteEngine(_Engine):
    def write(self, analysed: Sequence[Analysed]) -> None:
        self.delete([row[0] for row in analysed])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, category, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                list(analysed),
            )

    def delete(self, product_ids: Sequence[int]) -> None:
        if not product_ids:
            return
        marks = ", ".join(["%s"] * len(product_ids))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", list(product_ids))  # noqa: S608

    @staticmethod
    def _expression(query: ParsedQuery, mode: Mode) -> str:
        # FTS5 query syntax: a quoted string is a phrase; terms never contain a quote.
        groups = ["(" + " OR ".join('"' + " ".join(a.terms) + '"' for a in g.alternatives) + ")" for g in query.groups]
        expression = (" OR " if mode == "any" else " AND ").join(groups)
        return f"title : ({expression})" if mode == "title" else expression

    def match(self, queryset: QuerySet[SearchDocument], query: ParsedQuery, mode: Mode) -> QuerySet[SearchDocument]:
        matching = RawSQL(  # noqa: S611 - constant SQL; the query is a bound parameter
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [self._expression(query, mode)],
        )
        return queryset.filter(pk__in=matching)

    def ranked(
        self, queryset: QuerySet[SearchDocument], query: ParsedQuery, mode: Mode, *, depth: int
    ) -> QuerySet[SearchDocument]:
        # Every match is ranked: a local catalogue is small.
        weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
        # bm25() is lower for better matches; negated, so that a higher rank is better on both engines.
        rank = RawSQL(  # noqa: S611 - constant SQL; the query is a bound parameter
            f"SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "  # noqa: S608 - constants only
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = catalog_searchdocument.product_id",
            [self._expression(query, mode)],
            output_field=FloatField(),
        )
        return queryset.annotate(rank=rank)

    def candidates(self, words: Sequence[str]) -> list[tuple[str, str, int]]:
        return [
            (term, stem, documents)
            for term, stem, documents in SearchTerm.objects.values_list("term", "stem", "documents").iterator()
            if any(analysis.is_candidate(word, term) for word in words)
        ]

    def beginning_with(self, prefix: str) -> Q:
        # A range rather than LIKE (which SQLite runs case-insensitively, past the index); terms
        # are folded, so every word beginning with the prefix sorts inside it.
        return Q(term__gte=prefix, term__lt=prefix + "\U0010ffff")


def _engine() -> _Engine:
    if connection.vendor == "postgresql":
        return _PostgresEngine()
    if connection.vendor == "sqlite":
        return _SqliteEngine()
    raise ImproperlyConfigured(f"The database search backend supports PostgreSQL and SQLite, not {connection.vendor}.")


def _vocabulary(document: ProductDocument) -> set[str]:
    """The words of a product that misspellings are corrected to (no numbers, no stop words)."""
    text = " ".join([document.title, document.category_text, document.description])
    return {
        w
        for w in analysis.words(text)
        if w.isalpha() and 2 <= len(w) <= MAX_TERM_LENGTH and w not in analysis.STOP_WORDS
    }


class DatabaseSearchBackend(SearchBackend):
    name = "database"

    # --- indexing ---------------------------------------------------------------------------

    def index_products(self, product_ids: Sequence[int]) -> None:
        documents, gone = documents_for(product_ids)
        self._write(documents, gone)
        words = set().union(*(_vocabulary(d) for d in documents)) if documents else set()
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=w, stem=analysis.stem(w), documents=1) for w in sorted(words)], ignore_conflicts=True
        )

    def _write(self, documents: Sequence[ProductDocument], gone: Sequence[int]) -> None:
        engine = _engine()
        rows = [
            SearchDocument(
                product_id=d.product_id,
                category_id=d.category_id,
                category_path=d.category_path,
                title=d.title[:200],
                price=d.price,
                currency=d.currency,
                in_stock=d.in_stock,
                popularity=d.popularity,
                created_at=d.created_at,
            )
            for d in documents
        ]
        ids = [d.product_id for d in documents]
        with transaction.atomic():
            if gone:
                SearchDocument.objects.filter(pk__in=gone).delete()
                engine.delete(gone)
            SearchDocument.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=[
                    "category",
                    "category_path",
                    "title",
                    "price",
                    "currency",
                    "in_stock",
                    "popularity",
                    "created_at",
                ],
            )
            # bulk_create does not run auto_now on conflicting rows; the reindex catch-up reads it.
            SearchDocument.objects.filter(pk__in=ids).update(indexed_at=timezone.now())
            SearchAttribute.objects.filter(document__in=ids).delete()
            attributes = [
                SearchAttribute(document_id=d.product_id, name=n, value=v) for d in documents for n, v in d.attributes
            ]
            SearchAttribute.objects.bulk_create(attributes)
            if attributes:
                transaction.on_commit(lambda: cache.set(ATTRIBUTES_CACHE_KEY, True, timeout=None))
            engine.write(
                [
                    (
                        d.product_id,
                        " ".join(analysis.terms(d.title)),
                        " ".join(analysis.terms(d.category_text)),
                        " ".join(analysis.terms(d.description)),
                    )
                    for d in documents
                ]
            )

    def remove_products(self, product_ids: Sequence[int]) -> None:
        with transaction.atomic():
            SearchDocument.objects.filter(pk__in=list(product_ids)).delete()
            _engine().delete(list(product_ids))

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rewrite every document in place (search keeps answering throughout), drop those of
        deleted products, and recount the vocabulary."""
        counts: Counter[str] = Counter()
        indexed = 0
        for batch in all_product_ids(batch=500):
            documents, gone = documents_for(batch)
            self._write(documents, gone)
            for document in documents:
                counts.update(_vocabulary(document))
            indexed += len(documents)
            if progress:
                progress(len(batch))
        with transaction.atomic():
            orphans = list(SearchDocument.objects.filter(product__isnull=True).values_list("pk", flat=True))
            self.remove_products(orphans)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT product_id FROM catalog_searchdocument)"  # noqa: S608
                    )
            any_attributes = SearchAttribute.objects.exists()
            transaction.on_commit(lambda: cache.set(ATTRIBUTES_CACHE_KEY, any_attributes, timeout=None))
            SearchTerm.objects.all().delete()
            SearchTerm.objects.bulk_create(
                [SearchTerm(term=w, stem=analysis.stem(w), documents=n) for w, n in sorted(counts.items())],
                batch_size=2000,
            )
        return indexed

    # --- reading ------------------------------------------------------------------------------

    def corrected(self, query: ParsedQuery) -> ParsedQuery:
        """The query with catalogue words added for each word the catalogue does not have
        (within fuzziness AUTO's edits). Words with synonyms are left as they are."""
        single = [g for g in query.groups if len(g.alternatives) == 1 and len(g.alternatives[0].terms) == 1]
        if query.prefix and single and single[-1] is query.groups[-1]:
            single = single[:-1]  # the word being typed is completed, not corrected
        stems = {g.alternatives[0].terms[0] for g in single}
        if not stems:
            return query
        known = set(SearchTerm.objects.filter(stem__in=stems).values_list("stem", flat=True))
        unknown = [
            g
            for g in single
            if g.alternatives[0].terms[0] not in known
            and g.alternatives[0].words[0].isalpha()
            and analysis.edits_allowed(g.alternatives[0].words[0])
        ]
        if not unknown:
            return query
        candidates = _engine().candidates([g.alternatives[0].words[0] for g in unknown])
        replaced: dict[int, Group] = {}
        corrections: dict[str, str] = {}
        for group in unknown:
            word = group.alternatives[0].words[0]
            best = analysis.best_correction(word, [c for c in candidates if analysis.is_candidate(word, c[0])])
            if best:
                term, stem = best
                replaced[id(group)] = Group(
                    group.typed, (*group.alternatives, Alternative((term,), (stem,), "correction"))
                )
                corrections[word] = term
        groups = [replaced.get(id(g), g) for g in query.groups]
        return query.with_groups(groups, corrections)

    def _filtered(self, request: SearchRequest, query: ParsedQuery) -> QuerySet[SearchDocument]:
        queryset = SearchDocument.objects.all()
        if not query.is_empty:
            queryset = _engine().match(queryset, query, request.match)
        if request.category_path:
            queryset = queryset.filter(category_path__startswith=request.category_path)
        if request.price_min is not None:
            queryset = queryset.filter(price__gte=request.price_min)
        if request.price_max is not None:
            queryset = queryset.filter(price__lte=request.price_max)
        if request.in_stock:
            queryset = queryset.filter(in_stock=True)
        for name, values in request.attributes.items():
            queryset = queryset.filter(
                Exists(SearchAttribute.objects.filter(document=OuterRef("pk"), name=name, value__in=values))
            )
        return queryset

    def _facets(self, request: SearchRequest, queryset: QuerySet[SearchDocument]) -> tuple[int, Facets]:
        """Counts of all matches: one grouped query for the categories, stock and price ranges
        (summed over the categories for the totals), and one for the attributes if any product
        has attributes at all."""
        counts: dict[str, Any] = {"n": Count("pk"), "in_stock_n": Count("pk", filter=Q(in_stock=True))}
        for n, price_range in enumerate(request.price_ranges):
            condition = Q()
            if price_range.low is not None:
                condition &= Q(price__gte=price_range.low)
            if price_range.high is not None:
                condition &= Q(price__lt=price_range.high)
            counts[f"price_{n}"] = Count("pk", filter=condition)
        rows = list(queryset.order_by().values("category_id").annotate(**counts).order_by("-n", "category_id"))
        categories = [FacetCount(str(row["category_id"]), row["n"]) for row in rows]
        prices = [PriceFacet(r, sum(row[f"price_{n}"] for row in rows)) for n, r in enumerate(request.price_ranges)]
        attributes: dict[str, list[FacetCount]] = {}
        if cache.get(ATTRIBUTES_CACHE_KEY, True):
            attribute_rows = (
                SearchAttribute.objects.filter(document__in=queryset.order_by().values("pk"))
                .values("name", "value")
                .annotate(n=Count("document", distinct=True))
                .order_by("name", "-n", "value")
            )
            for row in attribute_rows:
                attributes.setdefault(row["name"], []).append(FacetCount(row["value"], row["n"]))
        in_stock = sum(row["in_stock_n"] for row in rows)
        facets = Facets(categories=categories, prices=prices, in_stock=in_stock, attributes=attributes)
        return sum(row["n"] for row in rows), facets

    def search(self, request: SearchRequest) -> SearchResult:
        query = self.corrected(request.query)
        queryset = self._filtered(request, query)
        if request.facets:
            total, facets = self._facets(request, queryset)
        else:
            total, facets = queryset.count(), Facets()
        sort = request.sort if not (request.sort == "relevance" and query.is_empty) else "bestselling"
        if sort == "relevance":
            depth = max(RANKED_DEPTH, request.offset + request.limit)
            queryset = _engine().ranked(queryset, query, request.match, depth=depth)
        page = queryset.order_by(*ORDERINGS[sort])[request.offset : request.offset + request.limit]
        highlighted = query.all_terms()
        hits = [
            SearchHit(pk, analysis.highlight(title, highlighted) if highlighted else "")
            for pk, title in page.values_list("pk", "title")
        ]
        return SearchResult(hits=hits, total=total, facets=facets, corrected=query.corrected_text(), backend=self.name)

    def completed(self, query: ParsedQuery) -> tuple[ParsedQuery, list[str]]:
        """The query with its last (unfinished) word widened to the catalogue words it begins,
        most common first; and the prefixes to highlight."""
        if not query.prefix or query.is_empty:
            return query, []
        last = query.groups[-1]
        if len(last.alternatives) != 1 or len(last.alternatives[0].words) != 1:
            return query, []
        prefix = last.alternatives[0].words[0]
        completions = list(
            SearchTerm.objects.filter(_engine().beginning_with(prefix))
            .order_by("-documents", "term")
            .values_list("term", "stem")[:COMPLETIONS]
        )
        alternatives = list(last.alternatives)
        seen = {last.alternatives[0].terms}
        for term, term_stem in completions:
            if (term_stem,) not in seen:
                seen.add((term_stem,))
                alternatives.append(Alternative((term,), (term_stem,), "completion"))
        prefixes = [prefix]
        if not completions and analysis.edits_allowed(prefix):
            candidates = [c for c in _engine().candidates([prefix]) if analysis.is_candidate(prefix, c[0])]
            best = analysis.best_correction(prefix, candidates)
            if best:
                alternatives.append(Alternative((best[0],), (best[1],), "correction"))
                prefixes.append(best[0])
        groups = [*query.groups[:-1], Group(last.typed, tuple(alternatives))]
        return query.with_groups(groups, query.corrections), prefixes

    def suggest(self, query: ParsedQuery, *, limit: int) -> list[SuggestHit]:
        if query.is_empty:
            return []
        query, prefixes = self.completed(self.corrected(query))
        engine = _engine()
        # The search box suggests the most popular products with the words in their titles, as
        # OpenSearch's completion suggester does (its weight is the popularity); the popularity
        # index answers it without ranking every match.
        matches = engine.match(SearchDocument.objects.all(), query, "title")
        rows = matches.order_by("-popularity", "pk").values_list("pk", "title")[:limit]
        terms = query.all_terms()
        return [SuggestHit(pk, analysis.highlight(title, terms, prefixes)) for pk, title in rows]
