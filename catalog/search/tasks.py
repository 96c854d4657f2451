"""Search's background work: thin tasks that take ids and call a service.

Registered with the worker through CELERY_IMPORTS (settings). Without a broker they run inline.
"""

from typing import Any

from celery import shared_task

import catalog.search.analytics as analytics
import catalog.search.services as services
from catalog.search.exceptions import SearchUnavailable


@shared_task(autoretry_for=(SearchUnavailable,), retry_backoff=5, retry_backoff_max=300, max_retries=10)
def search_index_products(product_ids: list[int]) -> None:
    services.search_products_index(product_ids=product_ids)


@shared_task(autoretry_for=(SearchUnavailable,), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def search_index_all() -> None:
    services.search_index_everything()


@shared_task
def search_record(**fields: Any) -> None:
    analytics.search_record(**fields)


@shared_task
def search_click_record(**fields: Any) -> None:
    analytics.search_click_record(**fields)
