from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0006_subscriber_unsubscribed_via"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="issue",
            options={
                "ordering": ["-created_at"],
                "permissions": [("send_issue", "Kann eine Ausgabe an alle Abonnent/innen senden")],
                "verbose_name": "Ausgabe",
                "verbose_name_plural": "Ausgaben",
            },
        ),
    ]
