"""load_demo's customers and their order history, from small Online Retail files made here."""

import gzip
import io
import re
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Address, User
from catalog.demo.customers import DEMO_COUNTRIES, DEMO_HOME_COUNTRY, demo_person
from catalog.demo.history import order_history_plan
from catalog.demo.importer import DEMO_DATA
from catalog.demo.retail import RETAIL_TIME_ZONE, retail_lines_read
from catalog.models import StockAdjustment, Variant
from orders.models import Order, OrderEvent, OrderLine

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
ROWS = [
    # 17850 buys cakestands twice, then cancels two: the later order's one, and one of the earlier's two.
    "570001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-09-01 09:00:00,2.55,17850.0,United Kingdom",
    "570001,22423,REGENCY CAKESTAND 3 TIER,2,2011-09-01 09:00:00,12.75,17850.0,United Kingdom",
    "570001,POST,POSTAGE,1,2011-09-01 09:00:00,18.0,17850.0,United Kingdom",
    "570002,22423,REGENCY CAKESTAND 3 TIER,1,2011-09-02 10:00:00,12.75,17850.0,United Kingdom",
    "C570003,22423,REGENCY CAKESTAND 3 TIER,-2,2011-09-03 11:00:00,12.75,17850.0,United Kingdom",
    # 13047 cancels a heart bought before the data begins.
    "570004,21169,YOU'RE CONFUSING ME METAL SIGN ,3,2011-09-04 12:00:00,1.69,13047.0,EIRE",
    "570004,23084,RABBIT NIGHT LIGHT,24,2011-09-04 12:00:00,1.79,13047.0,EIRE",
    "C570005,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,2011-09-05 12:00:00,2.55,13047.0,EIRE",
    # A guest order.
    "570006,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2011-09-06 09:00:00,2.55,,United Kingdom",
    # 12583 sends back a third of its night lights and all its signs the same day, and is charged
    # postage on its own.
    "570007,23084,RABBIT NIGHT LIGHT,12,2011-09-07 09:00:00,1.79,12583.0,France",
    "570007,21169,YOU'RE CONFUSING ME METAL SIGN,2,2011-09-07 09:00:00,1.69,12583.0,France",
    "C570008,23084,RABBIT NIGHT LIGHT,-4,2011-09-07 15:00:00,1.79,12583.0,France",
    "C570008,21169,YOU'RE CONFUSING ME METAL SIGN,-2,2011-09-07 15:00:00,1.69,12583.0,France",
    "C570008,M,Manual,-1,2011-09-07 15:00:00,5.0,12583.0,France",
    "570009,POST,POSTAGE,1,2011-09-08 09:00:00,18.0,12583.0,France",
]
# The UK's postcode pattern (BS 7666), as the government's data standards give it.
UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}")


def retail_folder(folder: Path, months: dict[str, list[str]]) -> Path:
    folder.mkdir()
    for month, rows in months.items():
        with gzip.open(folder / f"{month}.csv.gz", "wt", encoding="utf-8", newline="") as file:
            file.write("\n".join([HEADER, *rows]) + "\n")
    return folder


@pytest.fixture
def retail_data(tmp_path: Path) -> Path:
    return retail_folder(tmp_path / "online-retail", {"2011-09": ROWS})


def load_demo(data: Path, **options: object) -> str:
    out = io.StringIO()
    call_command("load_demo", data=str(data), verbosity=0, stdout=out, **{"images": False, **options})
    return out.getvalue()


def order(invoice: str) -> Order:
    return Order.objects.select_related("user").get(source_invoice=invoice)


def kept(invoice: str) -> list[tuple[str, int]]:
    return list(order(invoice).lines.order_by("sku").values_list("sku", "quantity"))


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=RETAIL_TIME_ZONE)


@pytest.mark.django_db
def test_each_customer_id_becomes_one_account_on_example_com_that_nobody_can_sign_in_to(retail_data):
    load_demo(retail_data)

    users = {user.source_customer_id: user for user in User.objects.all()}
    assert set(users) == {"17850", "13047", "12583"}
    customer = users["17850"]
    assert customer.email == "customer-17850@example.com"
    assert not customer.has_usable_password()
    assert customer.first_name and customer.last_name
    assert not customer.is_staff
    assert customer.date_joined == london(2011, 9, 1, 9, 0)
    assert all(user.email.endswith("@example.com") for user in users.values())


@pytest.mark.django_db
def test_each_customer_has_a_default_address_in_their_country(retail_data):
    load_demo(retail_data)

    addresses = {address.user.source_customer_id: address for address in Address.objects.select_related("user")}
    assert {customer_id: address.country for customer_id, address in addresses.items()} == {
        "17850": "GB",
        "13047": "IE",
        "12583": "FR",
    }
    assert all(address.is_default for address in addresses.values())
    uk = addresses["17850"]
    assert uk.name == f"{uk.user.first_name} {uk.user.last_name}"
    assert uk.line1 and uk.city
    assert UK_POSTCODE.fullmatch(uk.postcode)


def test_a_customer_is_the_same_made_up_person_on_every_run():
    assert demo_person(customer_id="17850", country="United Kingdom") == demo_person(
        customer_id="17850", country="United Kingdom"
    )
    people = [demo_person(customer_id=str(n), country="United Kingdom") for n in range(12346, 12446)]
    assert len({(person.first_name, person.last_name, person.address.line1) for person in people}) > 95
    assert all(UK_POSTCODE.fullmatch(person.address.postcode) for person in people)
    assert demo_person(customer_id="12347", country="Iceland").address.city in ("Reykjavík", "Kópavogur", "Akureyri")


def test_every_country_of_the_shipped_data_has_its_own_address_rules():
    countries = {line.country for line in retail_lines_read(path=DEMO_DATA) if line.customer_id}
    # These two name no country; their customers get addresses in the shop's own.
    assert countries - set(DEMO_COUNTRIES) == {"Unspecified", "European Community"}
    assert demo_person(customer_id="1", country="Unspecified").address.country == DEMO_HOME_COUNTRY.code
    assert len({spec.code for spec in DEMO_COUNTRIES.values()}) == len(DEMO_COUNTRIES)


@pytest.mark.django_db
def test_each_invoice_of_a_customer_becomes_a_delivered_order_paid_by_bank_transfer_when_placed(retail_data):
    load_demo(retail_data)

    placed = order("570004")
    assert placed.user is not None
    assert placed.user.source_customer_id == "13047"
    assert placed.email == "customer-13047@example.com"
    assert placed.status == Order.Status.DELIVERED
    assert placed.placed_at == placed.paid_at == london(2011, 9, 4, 12, 0)
    assert (placed.payment_method, placed.shipping_method_name) == ("bank", "Standard delivery")
    assert (placed.currency, placed.shipping_total, placed.refunded_total) == ("GBP", Decimal("0"), Decimal("0"))
    address = placed.user.addresses.get()
    assert (placed.ship_name, placed.ship_line1, placed.ship_city, placed.ship_postcode, placed.ship_country) == (
        address.name,
        address.line1,
        address.city,
        address.postcode,
        "IE",
    )
    assert placed.events.get().note == "Imported from the Online Retail data: invoice 570004"


@pytest.mark.django_db
def test_order_lines_keep_the_stock_code_quantity_and_price_and_link_to_the_imported_variant(retail_data):
    load_demo(retail_data)

    lines = {line.sku: line for line in order("570004").lines.select_related("variant")}
    sign = lines["21169"]
    assert (sign.quantity, sign.unit_price, sign.line_total) == (3, Decimal("1.69"), Decimal("5.07"))
    assert sign.product_title == "You're Confusing Me Metal Sign"
    assert sign.variant == Variant.objects.get(sku="21169")
    assert lines["23084"].line_total == Decimal("42.96")


@pytest.mark.django_db
def test_totals_are_the_sums_of_the_invoice_lines_in_decimal(retail_data):
    load_demo(retail_data)

    placed = order("570004")
    assert placed.subtotal == placed.total == Decimal("48.03")
    assert all(isinstance(amount, Decimal) for amount in (placed.subtotal, placed.total, placed.refunded_total))
    assert sum(line.line_total for line in placed.lines.all()) == placed.total


@pytest.mark.django_db
def test_postage_fees_and_guest_invoices_are_not_imported(retail_data):
    output = load_demo(retail_data)

    assert "POST" not in {line.sku for line in order("570001").lines.all()}
    assert order("570001").total == Decimal("40.80")  # 6 x 2.55 + 2 x 12.75, no postage
    assert not Order.objects.filter(source_invoice__in=["570006", "570009"]).exists()  # a guest's; only postage
    assert Order.objects.count() == 4
    assert "Not imported: 1 guest invoices (no CustomerID)" in output


@pytest.mark.django_db
def test_a_cancellation_takes_units_back_from_the_latest_purchases_and_is_recorded_as_their_refund(retail_data):
    load_demo(retail_data)

    later, earlier = order("570002"), order("570001")
    # The later order's one cakestand went back first: nothing was kept.
    assert later.status == Order.Status.REFUNDED
    assert later.total == later.refunded_total == Decimal("12.75")
    assert kept("570002") == []
    # The other came from the earlier order, which keeps its hearts and one cakestand.
    assert earlier.status == Order.Status.PARTLY_REFUNDED
    assert (earlier.total, earlier.refunded_total) == (Decimal("40.80"), Decimal("12.75"))
    assert kept("570001") == [("22423", 1), ("85123A", 6)]
    assert sum(line.line_total for line in earlier.lines.all()) == earlier.total - earlier.refunded_total
    assert list(earlier.events.values_list("from_status", "to_status", "note")) == [
        ("", "delivered", "Imported from the Online Retail data: invoice 570001"),
        ("delivered", "partly_refunded", "Cancelled by invoice C570003 of 2011-09-03 (1 unit): 12.75 GBP refunded"),
    ]
    # A cancellation is not an order of its own.
    assert not Order.objects.filter(source_invoice__startswith="C").exists()


@pytest.mark.django_db
def test_a_product_cancelled_in_full_does_not_count_as_bought_and_one_cancelled_in_part_counts_what_was_kept(
    retail_data,
):
    load_demo(retail_data)

    bought: Counter[tuple[str, str]] = Counter()
    for customer_id, sku, quantity in OrderLine.objects.values_list(
        "order__user__source_customer_id", "sku", "quantity"
    ):
        bought[customer_id, sku] += quantity
    assert bought == {
        ("17850", "85123A"): 6,
        ("17850", "22423"): 1,
        ("13047", "21169"): 3,
        ("13047", "23084"): 24,
        ("12583", "23084"): 8,  # 12 less 4; its 2 signs all went back
    }
    returned = order("570007")
    assert (returned.status, returned.total) == (Order.Status.PARTLY_REFUNDED, Decimal("24.86"))
    assert returned.refunded_total == Decimal("10.54")  # 4 x 1.79 + 2 x 1.69
    assert kept("570007") == [("23084", 8)]


@pytest.mark.django_db
def test_cancelled_units_bought_before_the_data_begins_are_left_out(retail_data):
    output = load_demo(retail_data)

    assert order("570004").status == Order.Status.DELIVERED
    assert not OrderLine.objects.filter(order__user__source_customer_id="13047", sku="85123A").exists()
    assert "1 cancelled lines bought before the data begins" in output


def test_a_cancellation_never_takes_back_a_purchase_made_after_it(tmp_path):
    rows = [
        "C570001,22423,REGENCY CAKESTAND 3 TIER,-1,2011-09-01 09:00:00,12.75,17850.0,United Kingdom",
        "570002,22423,REGENCY CAKESTAND 3 TIER,1,2011-09-02 09:00:00,12.75,17850.0,United Kingdom",
        # Stamped the same minute as the order it cancels.
        "570003,22423,REGENCY CAKESTAND 3 TIER,2,2011-09-03 09:00:00,12.75,17850.0,United Kingdom",
        "C570004,22423,REGENCY CAKESTAND 3 TIER,-1,2011-09-03 09:00:00,12.75,17850.0,United Kingdom",
    ]

    plan = order_history_plan(lines=retail_lines_read(path=retail_folder(tmp_path / "data", {"2011-09": rows})))

    assert [(planned.invoice_no, planned.lines[0].kept) for planned in plan.orders] == [("570002", 1), ("570003", 1)]
    assert plan.cancellations_unmatched == 1


def history_rows() -> dict[str, list[Any]]:
    models = (User, Address, Order, OrderLine, OrderEvent)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.django_db
def test_running_twice_changes_nothing(retail_data):
    load_demo(retail_data)
    rows = history_rows()

    output = load_demo(retail_data)

    assert history_rows() == rows
    assert "Customers: 0 created, 3 unchanged." in output
    assert "Orders: 0 created (0 with cancellations refunded), 4 unchanged." in output


@pytest.mark.django_db
def test_loading_the_full_history_after_the_last_months_adds_the_earlier_orders_and_their_cancellations(tmp_path):
    august = ["560001,22423,REGENCY CAKESTAND 3 TIER,2,2011-08-01 09:00:00,12.75,17850.0,United Kingdom"]
    september = [
        "570001,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-09-01 09:00:00,2.55,17850.0,United Kingdom",
        "C570002,22423,REGENCY CAKESTAND 3 TIER,-1,2011-09-02 09:00:00,12.75,17850.0,United Kingdom",
    ]
    load_demo(retail_folder(tmp_path / "last", {"2011-09": september}))
    september_order = order("570001")

    output = load_demo(retail_folder(tmp_path / "full", {"2011-08": august, "2011-09": september}))

    assert "Customers: 0 created, 1 unchanged." in output
    assert "Orders: 1 created (1 with cancellations refunded), 1 unchanged." in output
    assert order("570001") == september_order and kept("570001") == [("85123A", 6)]
    assert kept("560001") == [("22423", 1)]
    assert order("560001").refunded_total == Decimal("12.75")


@pytest.mark.django_db
def test_the_import_changes_no_stock_and_sends_nothing(retail_data, django_capture_on_commit_callbacks):
    load_demo(retail_data, orders=False)
    stock = dict(Variant.objects.values_list("sku", "stock"))
    adjustments = StockAdjustment.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        output = load_demo(retail_data)

    assert "Orders: 4 created" in output
    assert dict(Variant.objects.values_list("sku", "stock")) == stock
    assert StockAdjustment.objects.count() == adjustments
    assert callbacks == []  # no e-mail queued, no cached page marked stale
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_orders_loads_the_catalogue_alone(retail_data):
    output = load_demo(retail_data, orders=False)

    assert "Products: 4 created" in output
    assert not User.objects.exists()
    assert not Order.objects.exists()
    assert "Customers:" not in output


@pytest.mark.django_db
def test_a_customer_whose_e_mail_address_is_taken_is_skipped_with_their_orders(retail_data):
    User.objects.create_user(email="customer-13047@example.com", password="a-long-password-1")

    output = load_demo(retail_data)

    assert not User.objects.filter(source_customer_id="13047").exists()
    assert not Order.objects.filter(source_invoice="570004").exists()
    assert "Customers: 2 created, 0 unchanged, 1 skipped (e-mail in use)." in output
    assert "1 skipped (customer skipped)" in output


@pytest.mark.django_db
def test_a_line_whose_product_is_not_in_the_catalogue_keeps_its_sku_and_a_title_from_the_data(retail_data):
    load_demo(retail_data, limit=1)  # the catalogue has only 21169

    line = order("570004").lines.get(sku="23084")
    assert line.variant is None
    assert line.product_title == "Rabbit Night Light"


@pytest.mark.django_db
def test_a_customer_finds_their_imported_orders_in_their_order_history(client, retail_data):
    load_demo(retail_data)
    client.force_login(User.objects.get(source_customer_id="17850"))

    response = client.get(reverse("orders:history"))

    assert response.status_code == 200
    page = response.content.decode()
    assert order("570001").number in page and order("570002").number in page
    assert order("570004").number not in page  # someone else's
    assert "Partly refunded" in page and "£40.80" in page
    assert "1 Sep 2011" in page


def test_in_the_shipped_data_every_order_keeps_its_total_less_refunds_on_its_lines():
    plan = order_history_plan(lines=retail_lines_read(path=DEMO_DATA))

    assert len(plan.customers) > 2000 and len(plan.orders) > 4000
    for planned in plan.orders:
        kept_value = sum((line.kept * line.unit_price for line in planned.lines), Decimal(0))
        assert all(0 <= line.kept <= line.quantity for line in planned.lines)
        assert planned.total - planned.refunded_total == kept_value
        assert (planned.status == "delivered") == (not planned.refunds)
    assert {planned.status for planned in plan.orders} == {"delivered", "partly_refunded", "refunded"}
