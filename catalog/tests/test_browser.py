"""The shop in real headless Chromium (Debian's chromium package, driven by Playwright)."""

from collections.abc import Iterator
from decimal import Decimal

import pytest

from catalog.tests.factories import CategoryFactory, ProductImageFactory, VariantFactory, product_with
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
def shop_urls(live_server) -> dict[str, str]:
    root = CategoryFactory(name="Candles & Lights", slug="candles-lights", is_featured=True)
    lanterns = CategoryFactory(name="Lanterns", slug="lanterns", parent=root)
    for n in range(10):
        product_with(title=f"White Metal Lantern {n}", category=lanterns, images=1, popularity=n)
    product = product_with(title="Knitted Union Flag Hot Water Bottle With A Rather Long Name", category=lanterns)
    VariantFactory(product=product, sku="84029E", name="Large", price=Decimal("4.25"), stock=0, position=5)
    ProductImageFactory(product=product)
    ProductImageFactory(product=product, position=1)
    base = live_server.url
    return {
        "home": base + "/",
        "category": base + root.get_absolute_url(),
        "product": base + product.get_absolute_url(),
    }


def open_page(browser, url: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return page, errors


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", ["home", "category", "product"])
def test_shop_pages_load_without_console_errors_or_sideways_scrolling(browser, shop_urls, name, viewport):
    page, errors = open_page(browser, shop_urls[name], viewport)
    assert errors == []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"{name} is {scroll_width}px wide at {viewport['width']}px"
    broken = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
    assert broken == []
    assert page.evaluate("[...document.images].every(i => i.hasAttribute('alt'))")
    page.context.close()


def test_a_shopper_goes_from_home_to_a_category_to_a_product_and_picks_a_variant(browser, shop_urls):
    page, errors = open_page(browser, shop_urls["home"], DESKTOP)
    page.get_by_role("link", name="Candles & Lights").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Candles & Lights"
    page.get_by_role("link", name="Knitted Union Flag Hot Water Bottle With A Rather Long Name").first.click()
    page.wait_for_load_state()
    assert "£9.99" in page.inner_text("main")
    page.get_by_role("link", name="Large").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "£4.25" in main and "Out of stock" in main
    assert errors == []
    page.context.close()


def test_the_keyboard_reaches_the_skip_link_first_and_it_is_visible(browser, shop_urls):
    page, _ = open_page(browser, shop_urls["home"], DESKTOP)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    assert page.evaluate("document.activeElement.getBoundingClientRect().height") > 0
    page.context.close()


def test_the_language_switcher_shows_the_shop_in_indonesian(browser, shop_urls):
    page, errors = open_page(browser, shop_urls["product"], PHONE)
    page.locator("a[hreflang=id]").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "id"
    assert "£9,99" in page.inner_text("main")
    assert errors == []
    page.context.close()
