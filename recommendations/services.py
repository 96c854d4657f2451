"""Writes of the recommendations: training the local model and putting its lists live."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from recommendations import store
from recommendations.data import dataset_load
from recommendations.models import RecommendationList, TrainingRun
from recommendations.training import BlendModel, BlendParams, Progress

# How many products each stored list keeps: more than a slot shows, so that what is sold out,
# inactive or already on the page can be left out and still fill it.
CUSTOMER_LIST_LENGTH = 50
PRODUCT_LIST_LENGTH = 30
BEST_SELLERS_LENGTH = 100
RUNS_KEPT = 2
BACKEND_NAME = "recommendations.backends.local.LocalRecommendationBackend"


@dataclass(frozen=True)
class TrainingSummary:
    run: TrainingRun
    customers: int
    products: int
    purchases: int
    events: int
    lists: int
    seconds: dict[str, float]


def model_train(
    *,
    params: BlendParams | None = None,
    progress: Progress | None = None,
    stage: Callable[[str], None] | None = None,
) -> TrainingSummary:
    """Train the local model on every interaction so far and put its lists live.

    The lists are written to the database in their own transaction, then the run becomes the
    current one (older runs beyond RUNS_KEPT are deleted) and, after commit, the lists go into
    the cache and the recommendations page token is bumped so cached pages show them. Shoppers
    see the previous run's lists until then; nothing waits on training.
    """
    say = stage or (lambda _text: None)
    started = time.perf_counter()
    until = timezone.now()
    say("Reading interactions")
    dataset = dataset_load(until=until, params=params)
    seconds = {"read": time.perf_counter() - started}
    say("Training")
    model = BlendModel(params).fit(dataset.history, progress=progress)
    seconds.update(model.seconds)

    clock = time.perf_counter()
    say("Ranking")
    users, products = dataset.user_ids, dataset.product_ids
    history = dataset.history
    active_users = sorted(
        set(history.purchase_user.tolist()) | set(history.event_actor[history.event_actor < history.n_users].tolist())
    )
    user_indexes = np.array(active_users, dtype=np.int64)
    rows: list[RecommendationList] = []
    run = TrainingRun.objects.create(backend=BACKEND_NAME, trained_until=until)
    for slot, scorer in (
        ("for_you", model.for_you_scores),
        ("new_for_you", model.new_for_you_scores),
        ("buy_again", model.buy_again_scores),
    ):
        for user, ranked in model.customer_lists(scorer, user_indexes, CUSTOMER_LIST_LENGTH):
            if ranked:
                rows.append(
                    RecommendationList(
                        run=run, slot=slot, user_id=users[user], product_ids=[products[i] for i in ranked]
                    )
                )
    for slot, matrix in (("also_viewed", model.also_viewed), ("bought_together", model.bought_together)):
        for item, ranked in model.product_lists(matrix, PRODUCT_LIST_LENGTH):
            rows.append(
                RecommendationList(
                    run=run, slot=slot, product_id=products[item], product_ids=[products[i] for i in ranked]
                )
            )
    rows.append(
        RecommendationList(
            run=run, slot="best_sellers", product_ids=[products[i] for i in model.best_sellers(BEST_SELLERS_LENGTH)]
        )
    )
    seconds["rank"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("Storing")
    RecommendationList.objects.bulk_create(rows, batch_size=2000)
    run.seconds = time.perf_counter() - started
    run.summary = {
        "customers": len(active_users),
        "products": len(products),
        "purchases": len(dataset.history.purchase_user),
        "events": len(dataset.history.event_item),
        "lists": len(rows),
        "seconds": {name: round(value, 2) for name, value in seconds.items()},
    }
    run_make_current(run=run)
    seconds["store"] = time.perf_counter() - clock
    return TrainingSummary(
        run=run,
        customers=len(active_users),
        products=len(products),
        purchases=len(dataset.history.purchase_user),
        events=len(dataset.history.event_item),
        lists=len(rows),
        seconds=seconds,
    )


def model_stale() -> bool:
    """Whether there is no trained model, or orders or events newer than the one served."""
    from orders.models import Order
    from recommendations.models import Interaction

    run = TrainingRun.objects.filter(is_current=True).first()
    if run is None:
        return True
    return (
        Order.objects.filter(placed_at__gte=run.trained_until).exists()
        or Interaction.objects.filter(occurred_at__gte=run.trained_until).exists()
    )


def run_make_current(*, run: TrainingRun) -> None:
    """Serve `run`'s lists from now on. One transaction; the cache is filled and pages marked
    stale after it commits."""
    with transaction.atomic():
        TrainingRun.objects.filter(is_current=True).exclude(pk=run.pk).update(is_current=False)
        run.is_current = True
        run.save(update_fields=["is_current", "seconds", "summary"])
        old = TrainingRun.objects.exclude(pk=run.pk).order_by("-created_at", "-pk").values_list("pk", flat=True)
        TrainingRun.objects.filter(pk__in=list(old[RUNS_KEPT - 1 :])).delete()
    transaction.on_commit(lambda: _lists_publish(run))


def _lists_publish(run: TrainingRun) -> None:
    from shop.pagecache import version_bump

    lists: dict[str, object] = {}
    for slot, user_id, product_id, ids in run.lists.values_list("slot", "user_id", "product_id", "product_ids"):
        if user_id is not None:
            lists[store.user_key(slot, user_id)] = ids
        elif product_id is not None:
            lists[store.product_key(slot, product_id)] = ids
        else:
            lists[store.global_key(slot)] = ids
    from catalog.models import Product

    lists.update({store.slug_key(slug): pk for slug, pk in Product.objects.values_list("slug", "pk")})
    lists[store.CURRENT_RUN] = run.pk
    store.lists_put(lists)
    version_bump(store.RECOMMENDATIONS)
