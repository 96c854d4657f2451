"""Fixtures for search's tests: a backend of each kind, and products to find.

The OpenSearch backend runs against osmem-server, an in-memory OpenSearch emulator from PyPI that
runs offline (no JVM, no Docker); it answers OpenSearch's REST API, with bleve's analysers in place
of Lucene's. It lacks the Indonesian stemmer (the mapping's Indonesian analyser is applied without
it) and synonym token filters (Pasar expands synonyms itself, so this costs nothing here).
"""

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from osmem_server import OsmemServer

from catalog.search.backends import _resting_until
from catalog.search.backends.base import SearchBackend
from catalog.search.backends.database import DatabaseSearchBackend
from catalog.search.backends.opensearch import OpenSearchSearchBackend
from catalog.search.models import SearchSynonym
from catalog.tests.factories import CategoryFactory, ProductFactory, VariantFactory


@pytest.fixture(autouse=True)
def _backends_awake() -> Iterator[None]:
    """No test inherits another's "OpenSearch is down, rest it" state."""
    _resting_until.clear()
    yield
    _resting_until.clear()


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """The emulator, once per test run, on a free port of 127.0.0.1."""
    server = OsmemServer.start(japanese=False, addr="127.0.0.1:0")
    yield server.url
    server.close()
    if server.process.stdout:  # the launcher leaves the pipe it read the address from open
        server.process.stdout.close()


def opensearch_backend(url: str, **options: object) -> OpenSearchSearchBackend:
    """A backend on an index of its own, so that tests never see each other's products."""
    options = {"indonesian_stemmer": False, "replicas": 0, "timeout": 10, **options}
    return OpenSearchSearchBackend(url=url, index=f"test-{uuid.uuid4().hex[:12]}", **options)


@pytest.fixture(params=["database", "opensearch"])
def backend(request: pytest.FixtureRequest, db: None) -> SearchBackend:
    """Every backend in turn: the database one runs on the suite's database (SQLite, or
    PostgreSQL when DATABASE_URL is set), the OpenSearch one against the emulator."""
    if request.param == "database":
        return DatabaseSearchBackend()
    return opensearch_backend(request.getfixturevalue("opensearch_url"))


@pytest.fixture
def synonyms(db: None) -> None:
    for line in ["xmas, christmas", "lampu, lamp, light", "hottie, hot water bottle"]:
        SearchSynonym.objects.get_or_create(terms=line)


def product(title: str, *, category=None, price: str = "5.00", stock: int = 10, **fields):
    """A product with one variant."""
    made = ProductFactory(title=title, category=category or CategoryFactory(), **fields)
    VariantFactory(product=made, price=Decimal(price), stock=stock)
    return made
