"""Celery tasks of the recommendations: thin, each calls a service."""

from celery import shared_task

from recommendations.backends import recommendation_backend
from recommendations.events import FLUSH_BATCH, events_buffered, events_flush
from recommendations.services import model_train


@shared_task(ignore_result=True)
def events_flush_task() -> int:
    """Write the buffered interaction events to the database (and to a remote backend)."""
    written = 0
    while True:
        batch = events_flush(limit=FLUSH_BATCH)
        if batch:
            recommendation_backend().events_send(batch)
        written += len(batch)
        if len(batch) < FLUSH_BATCH or not events_buffered():
            return written


@shared_task(ignore_result=True)
def model_train_task() -> int:
    """Retrain the local model and put its lists live; returns the run's id."""
    events_flush_task()
    return model_train().run.pk
