import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from shop.pagecache import cached_page, page_cache_key, render_lock_key, version_bump


def serve(version: str, rendered: list[str]):
    def render() -> HttpResponse:
        rendered.append(version)
        return HttpResponse(f"page {version}")

    return cached_page(RequestFactory().get("/"), name="test", depends_on=["v:test"], render=render)


def test_a_page_is_rendered_once_and_again_only_after_its_token_changes():
    rendered: list[str] = []
    assert serve("1", rendered).content == b"page 1"
    assert serve("2", rendered).content == b"page 1"
    version_bump("v:test")
    assert serve("3", rendered).content == b"page 3"
    assert rendered == ["1", "3"]


def test_while_one_request_renders_a_stale_page_others_get_the_previous_version_not_a_herd():
    rendered: list[str] = []
    serve("1", rendered)
    version_bump("v:test")
    cache.add(render_lock_key(page_cache_key("test")), 1)  # another process is rendering it now
    response = serve("2", rendered)
    assert (response.content, response["X-Page-Cache"]) == (b"page 1", "stale")
    assert rendered == ["1"]


def test_a_cold_cache_never_serves_an_old_page_even_if_its_token_was_evicted():
    rendered: list[str] = []
    serve("1", rendered)
    cache.delete("v:test")  # evicted: a new token is made, and everything under the old one is stale
    assert serve("2", rendered).content == b"page 2"


def test_a_new_release_never_serves_pages_rendered_by_the_previous_one(settings):
    from shop.release import release_id

    rendered: list[str] = []
    serve("old templates", rendered)
    settings.RELEASE_ID = "next-release"
    release_id.cache_clear()
    try:
        assert serve("new templates", rendered).content == b"page new templates"
    finally:
        release_id.cache_clear()


def test_a_hot_page_is_served_from_the_process_memory_for_a_moment_and_a_change_made_here_shows_at_once(
    settings, monkeypatch
):
    settings.PAGE_NEAR_SECONDS = 0.5
    rendered: list[str] = []
    serve("1", rendered)
    cache.set("v:test", "changed by another server")
    assert serve("2", rendered).content == b"page 1"  # this process's copy, for up to PAGE_NEAR_SECONDS
    with monkeypatch.context() as patched:
        patched.setattr(cache, "get_many", lambda keys: pytest.fail("a hot page should cost no cache read"))
        assert serve("3", rendered)["X-Page-Cache"] == "hit"
    time.sleep(0.6)
    assert serve("4", rendered).content == b"page 4"  # the other server's change, once the copy is old
    version_bump("v:test")  # a change made in this process
    assert serve("5", rendered).content == b"page 5"
    assert rendered == ["1", "4", "5"]
