from decimal import Decimal

from django.conf import settings
from django.db import migrations


def create(apps, schema_editor):
    ShippingMethod = apps.get_model("orders", "ShippingMethod")
    if ShippingMethod.objects.exists():
        return
    currency = settings.SHOP_CURRENCY
    ShippingMethod.objects.create(
        name="Standard delivery", code="standard", description="3-5 working days; free over 50",
        price=Decimal("4.95"), free_over=Decimal("50.00"), currency=currency, position=0,
    )
    ShippingMethod.objects.create(
        name="Express delivery", code="express", description="Next working day; priced by weight",
        price=Decimal("7.95"), price_per_kg=Decimal("1.50"), currency=currency, position=1,
    )


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
