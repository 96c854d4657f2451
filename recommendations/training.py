"""The local model: what it learns from interactions and how it ranks products.

Pure computation on arrays (numpy, scipy, implicit), with no database access, so that training,
the evaluation and the tests run the same code. Products and customers are dense indexes here;
the services map them to and from ids.

The blend, and why (the figures are in docs/recommendations.md):

- Repeat purchases: wholesale buyers re-order, so a customer's own purchases are the strongest
  signal: the number of orders that held the product, each weighted by its age (a year's decay),
  times how many customers still buy the product (a product nobody bought lately has likely been
  replaced, and a customer re-orders what is still on the shelf).
- Item-item similarity (cosine over who bought what, scipy): products bought by the customers
  who bought the customer's recent products.
- ALS (implicit): latent factors over the whole history, which find products related in ways no
  single co-purchase shows.
- Recent popularity: a little, so that a new customer or a thin history still gets good lists.

"Recommended for you" blends all of them (the repeat score leads); "New for you" leaves out what
the customer has bought and blends the similarity, ALS and popularity scores; "Buy it again" is
the repeat score alone.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from implicit.als import AlternatingLeastSquares
from implicit.nearest_neighbours import bm25_weight
from threadpoolctl import threadpool_limits

DAY = 86400.0
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Progress = Callable[[str, int], None]  # (step, units done)


@dataclass(frozen=True)
class BlendParams:
    repeat_decay_days: float = 365.0  # age at which a past order counts 1/e
    still_selling_days: float = 30.0  # "still bought lately" window for the repeat score's product factor
    still_selling_power: float = 0.5
    profile_decay_days: float = 90.0  # how the customer's history is weighted for item-item scores
    popular_days: float = 90.0  # best sellers: distinct customers over this many days
    neighbours: int = 100  # kept per product in the item-item matrix
    als_factors: int = 64
    als_regularization: float = 0.05
    als_iterations: int = 15
    for_you_similar: float = 0.2
    for_you_als: float = 0.2
    new_similar: float = 0.5
    new_als: float = 0.5
    new_popular: float = 0.1
    view_weight: float = 0.25  # a view, and an add to cart, against a purchase
    cart_weight: float = 0.5
    seed: int = 1


@dataclass
class History:
    """Interactions before `until` (a POSIX timestamp), as parallel arrays of dense indexes.

    `purchase_*`: one row per order line (customer, product, order, time). `event_*`: views and
    adds to cart by customers (actor < n_users) or anonymous visitors (actor >= n_users), with a
    weight each (BlendParams.view_weight / cart_weight).
    """

    n_users: int
    n_items: int
    until: float
    purchase_user: Ints
    purchase_item: Ints
    purchase_order: Ints
    purchase_time: Floats
    event_actor: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    event_item: Ints = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    event_time: Floats = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    event_weight: Floats = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    n_actors: int = 0  # customers plus visitors


def _csr(rows: Ints, cols: Ints, values: Floats, shape: tuple[int, int]) -> sp.csr_matrix:
    matrix = sp.csr_matrix((values, (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    return matrix


def _cosine_neighbours(incidence: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Item-item cosine similarity of the columns of a binary incidence matrix, keeping each
    item's `keep` most similar items (and never the item itself)."""
    binary = incidence.copy()
    binary.data[:] = 1.0
    norms = np.sqrt(np.asarray(binary.sum(axis=0)).ravel())
    normalised = binary.multiply(1.0 / np.maximum(norms, 1.0)).tocsc()
    similarity = (normalised.T @ normalised).tocsr()
    similarity.setdiag(0)
    similarity.eliminate_zeros()
    return _top_per_row(similarity, keep)


def _top_per_row(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    rows, cols, values = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        data, indices = matrix.data[start:end], matrix.indices[start:end]
        if end - start > keep:
            best = np.argpartition(-data, keep)[:keep]
            data, indices = data[best], indices[best]
        rows.append(np.full(len(indices), row))
        cols.append(indices)
        values.append(data)
    if not rows:
        return sp.csr_matrix(matrix.shape)
    return sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape)


def _row_normalised(block: Floats) -> Floats:
    top = block.max(axis=1, keepdims=True)
    normalised: Floats = np.divide(block, top, out=np.zeros_like(block), where=top > 0)
    return normalised


def top_indexes(scores: Floats, k: int) -> list[list[int]]:
    """Each row's k best columns, best first, leaving out -inf (excluded) and ties broken by
    index so that results never depend on the platform."""
    k = min(k, scores.shape[1])
    if k == 0:
        return [[] for _ in range(scores.shape[0])]
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    result = []
    for row, candidates in enumerate(part):
        values = scores[row, candidates]
        order = np.lexsort((candidates, -values))
        result.append([int(candidates[i]) for i in order if np.isfinite(values[i])])
    return result


class BlendModel:
    """Fitted on a History; scores customers and products (see the module's notes)."""

    def __init__(self, params: BlendParams | None = None) -> None:
        self.params = params or BlendParams()
        self.seconds: dict[str, float] = {}

    def fit(self, history: History, *, progress: Progress | None = None) -> "BlendModel":
        p = self.params
        step = progress or (lambda _step, _done: None)
        self.history = history
        n_users, n_items = history.n_users, history.n_items
        users, items = history.purchase_user, history.purchase_item
        # Ages count back from the newest interaction, not the clock: a shop whose history
        # stopped a while ago (the demo's) still has recent best sellers.
        latest = max(history.purchase_time.max(initial=0.0), history.event_time.max(initial=0.0))
        self.now = min(history.until, latest) if latest else history.until
        age = (self.now - history.purchase_time) / DAY

        started = time.perf_counter()
        ones = np.ones(len(users))
        # One count per order that held the product (a product appears once per order line).
        self.order_counts = _csr(users, items, ones, (n_users, n_items))
        self.owned = self.order_counts.copy()
        self.owned.data[:] = 1.0
        buyers_recent = self._buyers_within(age, p.still_selling_days)
        self.popular = self._buyers_within(age, p.popular_days)
        self.repeat = _csr(users, items, np.exp(-age / p.repeat_decay_days), (n_users, n_items))
        self.repeat = self.repeat.multiply((1.0 + buyers_recent) ** p.still_selling_power).tocsr()
        profile = _csr(users, items, np.exp(-age / p.profile_decay_days), (n_users, n_items))
        customer_events = history.event_actor < n_users
        if customer_events.any():
            event_age = (self.now - history.event_time[customer_events]) / DAY
            profile = profile + _csr(
                history.event_actor[customer_events],
                history.event_item[customer_events],
                history.event_weight[customer_events] * np.exp(-event_age / p.profile_decay_days),
                (n_users, n_items),
            )
        self.profile = profile.tocsr()
        self.seconds["counts"] = time.perf_counter() - started
        step("counts", 1)

        started = time.perf_counter()
        self.similar = _cosine_neighbours(self.owned, p.neighbours)
        baskets = _csr(history.purchase_order, items, ones, (int(history.purchase_order.max(initial=-1)) + 1, n_items))
        self.bought_together = _cosine_neighbours(baskets, p.neighbours)
        actors = max(history.n_actors, n_users)
        seen = _csr(
            np.concatenate([users, history.event_actor]),
            np.concatenate([items, history.event_item]),
            np.concatenate([ones, history.event_weight]),
            (actors, n_items),
        )
        self.also_viewed = _cosine_neighbours(seen, p.neighbours)
        self.seconds["item_item"] = time.perf_counter() - started
        step("item-item similarity", 1)

        started = time.perf_counter()
        confidence = self.order_counts.copy()
        confidence.data = np.log1p(confidence.data)
        if customer_events.any():
            confidence = confidence + _csr(
                history.event_actor[customer_events],
                history.event_item[customer_events],
                history.event_weight[customer_events],
                (n_users, n_items),
            )
        factors = max(1, min(p.als_factors, n_items - 1, n_users - 1))
        if confidence.nnz:
            # implicit wants one BLAS thread (its own threads do the parallel work); it warns otherwise.
            with threadpool_limits(1, "blas"):
                als = AlternatingLeastSquares(
                    factors=factors,
                    regularization=p.als_regularization,
                    iterations=p.als_iterations,
                    random_state=p.seed,
                    calculate_training_loss=False,
                )
                als.fit(bm25_weight(confidence, K1=100, B=0.8).tocsr(), show_progress=False)
            self.user_factors = np.asarray(als.user_factors)
            self.item_factors = np.asarray(als.item_factors)
        else:
            self.user_factors = np.zeros((n_users, factors), dtype=np.float32)
            self.item_factors = np.zeros((n_items, factors), dtype=np.float32)
        self.seconds["als"] = time.perf_counter() - started
        step("ALS", 1)
        return self

    def _buyers_within(self, age: Floats, days: float) -> Floats:
        """Distinct customers per product over the last `days` days."""
        history, recent = self.history, age <= days
        bought = _csr(
            history.purchase_user[recent],
            history.purchase_item[recent],
            np.ones(int(recent.sum())),
            (history.n_users, history.n_items),
        )
        counts: Floats = np.diff(bought.tocsc().indptr).astype(float)
        return counts

    # Scoring. Each returns a dense block: one row per customer in `users`, one column per product.

    def repeat_scores(self, users: Ints) -> Floats:
        return np.asarray(self.repeat[users].toarray(), dtype=float)

    def similar_scores(self, users: Ints) -> Floats:
        return np.asarray((self.profile[users] @ self.similar).toarray(), dtype=float)

    def als_scores(self, users: Ints) -> Floats:
        scores: Floats = np.maximum(np.asarray(self.user_factors[users] @ self.item_factors.T, dtype=float), 0.0)
        return scores

    def owned_mask(self, users: Ints) -> npt.NDArray[np.bool_]:
        return np.asarray(self.owned[users].toarray() > 0)

    def for_you_scores(self, users: Ints) -> Floats:
        p = self.params
        return (
            _row_normalised(self.repeat_scores(users))
            + p.for_you_similar * _row_normalised(self.similar_scores(users))
            + p.for_you_als * _row_normalised(self.als_scores(users))
        )

    def new_for_you_scores(self, users: Ints) -> Floats:
        p = self.params
        popular = self.popular
        top = popular.max(initial=0.0)
        scores = (
            p.new_similar * _row_normalised(self.similar_scores(users))
            + p.new_als * _row_normalised(self.als_scores(users))
            + p.new_popular * (popular / top if top > 0 else popular)[None, :]
        )
        scores[self.owned_mask(users)] = -np.inf
        return scores

    def buy_again_scores(self, users: Ints) -> Floats:
        scores = self.repeat_scores(users)
        scores[~self.owned_mask(users)] = -np.inf
        return scores

    def best_sellers(self, k: int) -> list[int]:
        popular = self.popular
        order = np.lexsort((np.arange(len(popular)), -popular))
        return [int(i) for i in order[:k] if popular[i] > 0]

    def product_lists(self, matrix: sp.csr_matrix, k: int) -> Iterator[tuple[int, list[int]]]:
        """(product, its k most similar products) for each product with any."""
        for item in range(matrix.shape[0]):
            start, end = matrix.indptr[item], matrix.indptr[item + 1]
            if start == end:
                continue
            data, indices = matrix.data[start:end], matrix.indices[start:end]
            order = np.lexsort((indices, -data))[:k]
            yield item, [int(indices[i]) for i in order]

    def customer_lists(
        self, scorer: Callable[[Ints], Floats], users: Ints, k: int, *, batch: int = 512
    ) -> Iterator[tuple[int, list[int]]]:
        for start in range(0, len(users), batch):
            chunk = users[start : start + batch]
            for user, ranked in zip(chunk, top_indexes(scorer(chunk), k), strict=True):
                yield int(user), ranked
