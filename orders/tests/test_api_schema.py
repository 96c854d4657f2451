"""A property-based run of the whole OpenAPI schema (schemathesis), in-process over WSGI.

For every operation in /api/schema/, schemathesis generates requests from the schema (valid and
invalid) and checks that none is answered with a 5xx, and that every answer's status, content type,
headers and body are the ones the schema documents. A small catalogue, a shipping method and an
address exist so that generated requests reach real data. Bounded: a few examples per operation.
"""

from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.tests.factories import CategoryFactory, ProductImageFactory, VariantFactory
from orders.tests.factories import standard_shipping

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def connection_kept():
    """The app is called through WSGI, whose request signals close the database connection; the
    test's transaction lives on it, so keep it open, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def catalogue(db, connection_kept):
    category = CategoryFactory(slug="lights")
    for n in range(3):
        variant = VariantFactory(product__category=category, product__slug=f"lantern-{n}", price=Decimal("3.39"))
        ProductImageFactory(product=variant.product)
    standard_shipping()


# Generating the schema needs no database: it is read once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@schema.parametrize()
# allauth looks a generated X-Session-Token up in the session cache as it is; the local-memory cache
# warns about characters memcached would refuse (Redis, in production, takes any key).
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure here is a real one, never flaky
    database=None,  # nothing to replay from (derandomized), so no .hypothesis directory either
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_as_its_schema_says_and_never_with_a_server_error(case, catalogue):
    # The in-process client does not undo Content-Encoding, as an HTTP client would: ask for none.
    case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})
