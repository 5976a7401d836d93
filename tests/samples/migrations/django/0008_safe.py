from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("shop", "0007_order_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="Invoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("number", models.CharField(max_length=32, unique=True)),
                ("order", models.ForeignKey(on_delete=models.deletion.CASCADE, to="shop.order")),
            ],
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["number"], name="shop_invoice_number_idx"),
        ),
        migrations.AddField(
            model_name="order",
            name="channel",
            field=models.CharField(max_length=16, db_default="web"),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["channel"], name="shop_order_channel_idx"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="order", name="old_flag"),
            ],
        ),
    ]
