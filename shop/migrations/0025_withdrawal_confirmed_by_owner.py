from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0024_order_discount_buyer"),
    ]

    operations = [
        migrations.AddField(
            model_name="withdrawaldeclaration",
            name="owner_request_sent_at",
            field=models.DateTimeField(
                blank=True, null=True,
                verbose_name="Bestätigungslink an den Vertragsinhaber gesendet",
            ),  # fmt: skip
        ),
        migrations.AddField(
            model_name="withdrawaldeclaration",
            name="owner_confirmed_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="Bestätigt durch den Vertragsinhaber"
            ),
        ),
    ]
