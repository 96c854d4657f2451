"""The search box and results in real headless Chromium (Debian's chromium package, via Playwright)."""

from collections.abc import Iterator

import pytest

from catalog.search.backends.database import DatabaseSearchBackend
from catalog.search.tests.conftest import product
from catalog.tests.factories import CategoryFactory
from shop.testing import chromium, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

require_chromium()

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def shop(live_server) -> str:
    lights = CategoryFactory(name="Lanterns & Lights", slug="lanterns-lights")
    made = [product(f"White Metal Lantern {n}", category=lights, popularity=n) for n in range(3)]
    made.append(product("Chocolate Hot Water Bottle"))
    DatabaseSearchBackend().index_products([p.pk for p in made])
    return str(live_server.url)


def open_page(browser, url: str, viewport: dict[str, int], **options):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="load")
    return page, errors


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_search_box_suggests_as_the_shopper_types_and_the_keyboard_picks_one(browser, shop, viewport):
    page, errors = open_page(browser, shop + "/", viewport)
    page.fill("#site-search-q", "lant")
    panel = page.locator("#site-search-suggestions")
    panel.wait_for(state="visible")
    assert "Lanterns & Lights" in panel.inner_text()
    assert page.locator("#site-search-q").get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("White Metal Lantern")
    assert errors == []
    page.context.close()


def test_a_shopper_searches_misspells_filters_and_opens_a_result_without_javascript(browser, shop):
    page, errors = open_page(browser, shop + "/", DESKTOP, java_script_enabled=False)
    page.fill("#site-search-q", "lantren")
    page.press("#site-search-q", "Enter")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Did you mean lantern?" in main and "3 products" in main
    page.get_by_role("link", name="In stock only").click()
    page.wait_for_load_state()
    assert "in_stock=on" in page.url
    page.get_by_role("link", name="White Metal Lantern 2").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "White Metal Lantern 2"
    assert errors == []
    page.context.close()


def test_recent_searches_show_in_the_empty_box_and_clear(browser, shop):
    page, errors = open_page(browser, shop + "/search/?q=hot+water", DESKTOP)
    page.click("#site-search-q")
    page.fill("#site-search-q", "")
    page.locator("#site-search-q").blur()
    page.click("#site-search-q")
    panel = page.locator("#site-search-suggestions")
    panel.get_by_text("hot water").wait_for()
    panel.get_by_role("button", name="Clear").click()
    panel.wait_for(state="hidden")
    page.click("h1")
    page.click("#site-search-q")
    page.wait_for_timeout(300)
    assert panel.is_hidden()
    assert errors == []
    page.context.close()
