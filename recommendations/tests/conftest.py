"""The test client is a returning visitor: it has the visitor cookie, so its views are recorded
from the first one (a client's very first request only gets the cookie; a test says so)."""

import pytest
from django.test import Client

from recommendations.events import VISITOR_COOKIE


@pytest.fixture(autouse=True)
def _returning_visitor(client: Client) -> None:
    client.cookies[VISITOR_COOKIE] = "returningvisitor1"
