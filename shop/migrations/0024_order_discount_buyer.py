from django.db import migrations, models


def counted_buyer(email):
    # shop.orders.discounts.counted_buyer as of this migration.
    local, _at, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def count_existing_redemptions(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    for order in Order.objects.filter(discount_code__isnull=False).only("email"):
        Order.objects.filter(pk=order.pk).update(discount_buyer=counted_buyer(order.email))


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0023_cancellation_notice_confirmed_by_link"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="discount_buyer",
            field=models.CharField(
                blank=True, max_length=254, verbose_name="Käufer für das Rabattlimit"
            ),
        ),
        migrations.RunPython(count_existing_redemptions, migrations.RunPython.noop),
    ]
