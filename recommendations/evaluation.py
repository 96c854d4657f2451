"""Offline evaluation: train on the interactions before a cut-off, judge on the purchases after it.

Who is judged: every customer with a purchase before the cut-off and one in the test window
(customers new in the window get best sellers from every method alike, so they tell nothing
apart; their number is reported). Two measures, each at k:

- all: the products the customer bought in the window, repeats included, against the
  "Recommended for you" list;
- new: only the products the customer had never bought before the cut-off, against lists that
  leave out what the customer has bought (every method's list is filtered the same way: the
  "New for you" list for the blend; for "own most-bought", which has nothing new to offer, the
  best sellers fill it). Customers with no new product in the window are not counted here.

Recall@k is hits / min(k, relevant) (so a perfect list scores 1 even for a customer who bought
fifty products); NDCG@k uses binary relevance with the same ideal.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from recommendations.data import Dataset, dataset_load, purchases_between
from recommendations.training import BlendModel, BlendParams, Floats, Ints, Progress, top_indexes


@dataclass(frozen=True)
class Scores:
    recall: float
    ndcg: float


@dataclass(frozen=True)
class MethodResult:
    name: str
    all: Scores
    new: Scores


@dataclass(frozen=True)
class EvaluationReport:
    train_until: datetime
    test_until: datetime
    k: int
    customers_all: int  # judged on all products
    customers_new: int  # judged on new products
    customers_cold: int  # bought in the window with no history before it (not judged)
    train_seconds: float
    methods: list[MethodResult]


def ranking_scores(ranked: dict[int, list[int]], relevant: dict[int, set[int]], k: int) -> Scores:
    recalls, ndcgs = [], []
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for user, wanted in relevant.items():
        hits = np.array([1.0 if item in wanted else 0.0 for item in ranked.get(user, [])[:k]])
        ideal = min(k, len(wanted))
        recalls.append(hits.sum() / ideal)
        ndcgs.append(float((hits * discounts[: len(hits)]).sum() / discounts[:ideal].sum()))
    if not recalls:
        return Scores(0.0, 0.0)
    return Scores(float(np.mean(recalls)), float(np.mean(ndcgs)))


def _ranked(
    scorer: Callable[[Ints], Floats], users: Ints, k: int, *, exclude_owned: BlendModel | None, fill: list[int]
) -> dict[int, list[int]]:
    """Each user's top k by `scorer`, without owned products if asked, topped up from `fill`."""
    ranked: dict[int, list[int]] = {}
    for start in range(0, len(users), 512):
        chunk = users[start : start + 512]
        scores = scorer(chunk)
        if exclude_owned is not None:
            scores = scores.copy()
            scores[exclude_owned.owned_mask(chunk)] = -np.inf
        for user, top in zip(chunk, top_indexes(scores, k), strict=True):
            owned = set(exclude_owned.owned[int(user)].indices.tolist()) if exclude_owned is not None else set()
            chosen = list(top)
            for item in fill:
                if len(chosen) >= k:
                    break
                if item not in chosen and item not in owned:
                    chosen.append(item)
            ranked[int(user)] = chosen
    return ranked


def evaluation_run(
    *,
    train_until: datetime,
    test_until: datetime,
    k: int = 10,
    params: BlendParams | None = None,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Train on purchases and events before `train_until`, judge on purchases in [train_until, test_until)."""
    dataset: Dataset = dataset_load(until=train_until, params=params)
    started = time.perf_counter()
    model = BlendModel(params).fit(dataset.history, progress=progress)
    train_seconds = time.perf_counter() - started

    users_index, products_index = dataset.user_index(), dataset.product_index()
    bought: dict[int, set[int]] = {}
    cold: set[int] = set()
    known = set(np.unique(dataset.history.purchase_user).tolist())
    for user_id, product_id, _order, _at in purchases_between(start=train_until, end=test_until):
        user, item = users_index.get(user_id), products_index.get(product_id)
        if user is None or user not in known:
            cold.add(user_id)
            continue
        if item is None:  # first sold after the cut-off: no method could have ranked it
            item = -1 - product_id
        bought.setdefault(user, set()).add(item)
    new: dict[int, set[int]] = {}
    for user, items in bought.items():
        owned = set(model.owned[user].indices.tolist())
        if fresh := items - owned:
            new[user] = fresh
    users = np.array(sorted(bought), dtype=np.int64)
    best = model.best_sellers(k + 1000)

    def best_sellers(chunk: Ints) -> Floats:
        scores = np.full((len(chunk), dataset.history.n_items), -np.inf)
        for rank, item in enumerate(best):
            scores[:, item] = -rank
        return scores

    def own_most_bought(chunk: Ints) -> Floats:
        purchases = np.asarray(model.order_counts[chunk].toarray(), dtype=float)
        tie = model.popular / (model.popular.max(initial=0.0) + 1.0)
        return np.where(purchases > 0, purchases + tie[None, :], -np.inf)

    methods: list[tuple[str, Callable[[Ints], Floats], Callable[[Ints], Floats]]] = [
        ("best sellers, last 90 days", best_sellers, best_sellers),
        ("customer's own most-bought", own_most_bought, own_most_bought),
        ("ALS (implicit)", model.als_scores, model.als_scores),
        ("Pasar blend", model.for_you_scores, model.new_for_you_scores),
    ]
    results = []
    for name, for_all, for_new in methods:
        ranked_all = _ranked(for_all, users, k, exclude_owned=None, fill=best)
        ranked_new = _ranked(for_new, np.array(sorted(new), dtype=np.int64), k, exclude_owned=model, fill=best)
        results.append(
            MethodResult(
                name=name,
                all=ranking_scores(ranked_all, bought, k),
                new=ranking_scores(ranked_new, new, k),
            )
        )
    return EvaluationReport(
        train_until=train_until,
        test_until=test_until,
        k=k,
        customers_all=len(bought),
        customers_new=len(new),
        customers_cold=len(cold),
        train_seconds=train_seconds,
        methods=results,
    )
