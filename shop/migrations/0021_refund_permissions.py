from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0020_failed_sends"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="customebook",
            options={
                "ordering": ["created_at"],
                "permissions": [
                    ("refund_customebook", "Kann individuelle E-Books stornieren und erstatten")
                ],
                "verbose_name": "Individuelles E-Book",
                "verbose_name_plural": "Individuelle E-Books",
            },
        ),
        migrations.AlterModelOptions(
            name="withdrawaldeclaration",
            options={
                "ordering": ["-received_at"],
                "permissions": [
                    ("refund_withdrawaldeclaration", "Kann zu einem Widerruf erstatten")
                ],
                "verbose_name": "Widerruf",
                "verbose_name_plural": "Widerrufe",
            },
        ),
    ]
