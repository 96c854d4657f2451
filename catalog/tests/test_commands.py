import pytest
from django.core.management import CommandError, call_command

from catalog.models import StockAdjustment, Variant
from catalog.tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


def test_stock_set_command_sets_the_quantity_and_records_a_sync(capsys):
    VariantFactory(sku="85123A", stock=3)
    call_command("stock_set", "85123A", "40", note="WMS 7781")
    assert "85123A: stock 40 (+37)" in capsys.readouterr().out
    adjustment = StockAdjustment.objects.get(variant__sku="85123A")
    assert (adjustment.reason, adjustment.note) == ("sync", "WMS 7781")


def test_stock_set_command_explains_an_unknown_sku_or_negative_quantity():
    VariantFactory(sku="85123A", stock=3)
    with pytest.raises(CommandError, match="No variant has the SKU 'NOPE'"):
        call_command("stock_set", "NOPE", "4")
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("stock_set", "85123A", "-4")


def test_stock_import_command_applies_a_csv_or_nothing(tmp_path, capsys):
    VariantFactory(sku="A", stock=1)
    VariantFactory(sku="B", stock=1)
    good = tmp_path / "good.csv"
    good.write_text("sku,quantity\nA,5\nB,1\n")
    call_command("stock_import", str(good))
    assert "1 changed, 1 already right" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("A,7\nZ,1\n")
    with pytest.raises(CommandError, match=r"Nothing was changed\. Fix these rows:\n  unknown SKU Z"):
        call_command("stock_import", str(bad))
    assert dict(Variant.objects.values_list("sku", "stock")) == {"A": 5, "B": 1}
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("stock_import", str(tmp_path / "missing.csv"))
