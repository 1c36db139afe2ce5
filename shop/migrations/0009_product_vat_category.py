from django.db import migrations, models


def category_from_rate(apps, schema_editor):
    # 19 % was only ever set for e-learning; everything else sold at 7 % is a publication.
    Product = apps.get_model("shop", "Product")
    Product.objects.filter(vat_rate=19).update(vat_category="elearning")


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0008_subscriptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="vat_category",
            field=models.CharField(
                choices=[
                    ("publication", "Elektronische Publikation"),
                    ("elearning", "E-Learning"),
                ],
                default="publication",
                max_length=20,
                verbose_name="USt.-Kategorie",
            ),
        ),
        migrations.RunPython(category_from_rate, migrations.RunPython.noop),
        migrations.RemoveField(model_name="product", name="vat_rate"),
    ]
