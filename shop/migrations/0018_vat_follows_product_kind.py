from django.db import migrations

ELEARNING_KINDS = ["course", "adviser"]


def category_from_kind(apps, schema_editor):
    # Migrating back: the restored column would say "publication" for every product, a course too.
    Product = apps.get_model("shop", "Product")
    Product.objects.filter(kind__in=ELEARNING_KINDS).update(vat_category="elearning")


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0017_withdrawal_subscription"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, category_from_kind),
        migrations.RemoveField(model_name="product", name="vat_category"),
    ]
