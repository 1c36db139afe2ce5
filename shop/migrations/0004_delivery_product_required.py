import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0003, which fills the column: PostgreSQL refuses to alter a table with
    pending trigger events from rows updated in the same transaction."""

    dependencies = [
        ('shop', '0003_series_bundles'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delivery',
            name='product',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='shop.product', verbose_name='Inhalt'),
        ),
    ]
